import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { SNAPSHOT_FORMAT_VERSION, type Snapshot as SnapshotDocument } from '@svcpath/api-contract';
import { detectFormat } from '@svcpath/ruleset';
import { redactSnapshot } from '@svcpath/redact';
import { validate } from '../http/validate';
import type { Snapshot } from '../snapshots/snapshot';
import type { ApiDeps } from './api-deps';
import { requireSnapshot } from './snapshot-routes';

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

export const ExportQuery = z.object({
  redact: flag.default(false),
  /** Also return the mapping (the key to undo the redaction), for a client relabelling its own pictures. */
  mapping: flag.default(false),
  /** Keys the redaction; a random one when absent, so two exports cannot be lined up. */
  seed: z.string().min(8).max(200).optional(),
});

/** The stored document, or one made from an imported snapshot's dumps (no cluster state was read). */
function documentOf(s: Snapshot): SnapshotDocument {
  if (s.document) return s.document;
  const kindOf = (text: string) => {
    const f = detectFormat(text);
    return f === 'ipvsadm' || f === 'ipset' || f === 'iptables' || f === 'nft-text' || f === 'nft-json' ? f : 'unknown';
  };
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    id: s.id,
    collection: s.collection,
    node: s.node,
    cluster: null,
    context: null,
    nodeIPs: [...s.nodeIPs],
    takenAt: s.takenAt,
    mode: 'unknown',
    toolVersions: {},
    problems: [],
    files: s.files.map((f) => ({ name: f.name, text: f.text, kind: kindOf(f.text), commandId: null, truncated: false, partial: false })),
    clusterState: s.clusterState ?? null,
  };
}

/**
 * GET /api/snapshots/:id/export[?redact=1[&mapping=1][&seed=…]]: the snapshot as a document in
 * the shared snapshot format; redacted by @svcpath/redact when asked (names and addresses
 * pseudonymised, kube-proxy's chain names recomputed). With `mapping=1` the answer is
 * `{ snapshot, mapping }`.
 */
export function exportRoutes({ snapshots }: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  r.get('/export', async (req, res) => {
    const q = validate(ExportQuery, req.query, 'export query');
    const doc = documentOf(await requireSnapshot(snapshots, (req.params as Record<string, string>).id ?? ''));
    if (!q.redact) {
      res.json(doc);
      return;
    }
    const { snapshot, mapping } = redactSnapshot(doc, { seed: q.seed ?? randomUUID() });
    res.setHeader('Content-Disposition', `attachment; filename="${snapshot.id}.svcpath.json"`);
    res.json(q.mapping ? { snapshot, mapping } : snapshot);
  });
  return r;
}
