import { Router } from 'express';
import { z } from 'zod';
import { clusterStateOfSnapshot, compareNodes, flowMatrix, helpAnchor, type DiagnoseClusterState, type MatrixNode } from '@svcpath/diagnostics';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { isIP } from 'node:net';
import { DomainError } from '../errors';
import { validate } from '../http/validate';
import type { Snapshot } from '../snapshots/snapshot';
import type { ApiDeps } from './api-deps';
import { requireSnapshot } from './snapshot-routes';

/** `?src=&dst=&dport=&proto=`: the packet to trace on every node; all absent for the comparison alone. */
const MatrixQuery = z
  .object({
    /** An address, or `node` for "each node itself". */
    src: z.string().refine((s) => s === 'node' || isIP(s) !== 0, 'an IP address or "node"').optional(),
    dst: z.string().refine((s) => isIP(s) !== 0, 'an IP address').optional(),
    dport: z.coerce.number().int().min(1).max(65535).optional(),
    proto: z.enum(['tcp', 'udp', 'sctp']).default('tcp'),
  })
  .refine((q) => (q.src === undefined) === (q.dst === undefined) && (q.dst === undefined) === (q.dport === undefined), 'src, dst and dport go together');

// Parsed rules per snapshot version: the matrix is asked again for each packet the user tries.
const parsed = new Map<string, Ruleset>();

function rulesetOf(s: Snapshot): Ruleset {
  const key = `${s.id}@${s.takenAt}`;
  let rs = parsed.get(key);
  if (!rs) {
    const loaded = loadRuleset(s.files);
    if (!loaded.ruleset) throw new DomainError('NO_RULES', `snapshot ${s.id} holds no rules svcpath can read`, { snapshot: s.id });
    rs = loaded.ruleset;
    if (parsed.size >= 16) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, rs);
  }
  return rs;
}

/**
 * GET /api/snapshots/:id/matrix: every node of the snapshot's collection side by side — which
 * Service ports a node programs differently (judged against the cluster state when a snapshot
 * holds one: two nodes are enough), and with `src`, `dst` and `dport` the same packet traced on
 * every node, outcome by node. Mounted beside the per-snapshot routes.
 */
export function matrixRoutes({ snapshots }: Pick<ApiDeps, 'snapshots'>): Router {
  const r = Router({ mergeParams: true });
  r.get('/matrix', async (req, res) => {
    const q = validate(MatrixQuery, req.query, 'matrix query');
    const s = await requireSnapshot(snapshots, (req.params as Record<string, string>).id ?? '');
    const metas = (await snapshots.list()).filter((m) => m.collection === s.collection);
    const members = (await Promise.all(metas.map((m) => snapshots.get(m.id)))).filter((x): x is Snapshot => x !== null);
    // One snapshot per node: the newest, so a re-collected node is not compared with itself.
    const latest = new Map<string, Snapshot>();
    for (const m of members) if ((latest.get(m.node)?.takenAt ?? '') <= m.takenAt) latest.set(m.node, m);
    const nodes: MatrixNode[] = [...latest.values()].sort((a, b) => a.node.localeCompare(b.node)).map((m) => ({ nodeName: m.node, ruleset: rulesetOf(m), nodeIPs: m.nodeIPs }));
    const judge = clusterStateOf([...latest.values()]);
    const findings = compareNodes(nodes, judge ? { clusterState: judge } : {}).map((f) => ({ ...f, help: helpAnchor(f.code) }));
    const matrix = q.dst && q.dport ? flowMatrix(nodes, { src: q.src === 'node' ? null : q.src!, dst: q.dst, dport: q.dport, proto: q.proto }, judge ? { clusterState: judge } : {}) : null;
    res.json({ collection: s.collection, nodes: nodes.map((n) => n.nodeName), judgedBy: judge ? 'cluster-state' : 'majority', findings, matrix });
  });
  return r;
}

function clusterStateOf(members: readonly Snapshot[]): DiagnoseClusterState | null {
  const newest = members.filter((m) => m.clusterState && m.clusterState.endpoints.kind !== 'unavailable').sort((a, b) => b.takenAt.localeCompare(a.takenAt))[0];
  return newest?.clusterState ? clusterStateOfSnapshot(newest.clusterState) : null;
}
