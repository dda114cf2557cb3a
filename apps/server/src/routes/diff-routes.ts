import { Router } from 'express';
import { z } from 'zod';
import { formatDiffMarkdown, formatTimelineMarkdown } from '@svcpath/diff';
import type { NodeSnapshotRef } from '../engine/engine-ops';
import { validate } from '../http/validate';
import type { Snapshot } from '../snapshots/snapshot';
import type { ApiDeps } from './api-deps';
import { engineSnapshot, requireSnapshot } from './snapshot-routes';

const DiffQuery = z.object({
  /** The snapshot to compare with: the "after" side; the path's snapshot is "before". */
  to: z.string().min(1).max(600),
  format: z.enum(['json', 'markdown']).default('json'),
});
const TimelineQuery = z.object({ format: z.enum(['json', 'markdown']).default('json') });

/** The engine's reference to a snapshot that an op reads besides its own. */
export function nodeSnapshotRef(s: Snapshot): NodeSnapshotRef {
  return { ...engineSnapshot(s), nodeName: s.node, nodeIPs: s.nodeIPs };
}

/**
 * GET /api/snapshots/:id/diff?to=ID — what changed from this snapshot to another of the same node,
 * per Service port, with rule lines on both sides (@svcpath/diff's DiffReport; `format=markdown`
 * for change reviews). GET /api/snapshots/:id/timeline — every stored snapshot of this node, oldest
 * first, each against the one before. Mounted beside the per-snapshot routes.
 */
export function diffRoutes({ snapshots, engine }: Pick<ApiDeps, 'snapshots' | 'engine'>): Router {
  const r = Router({ mergeParams: true });
  r.get('/diff', async (req, res) => {
    const q = validate(DiffQuery, req.query, 'diff query');
    const before = await requireSnapshot(snapshots, (req.params as Record<string, string>).id ?? '');
    const after = await requireSnapshot(snapshots, q.to);
    const [step] = await engine.run(engineSnapshot(before), { kind: 'diff', nodeIPs: before.nodeIPs, others: [nodeSnapshotRef(after)] });
    const report = step!.report;
    if (q.format === 'markdown') res.type('text/markdown').send(formatDiffMarkdown(report));
    else res.json(report);
  });
  r.get('/timeline', async (req, res) => {
    const q = validate(TimelineQuery, req.query, 'timeline query');
    const s = await requireSnapshot(snapshots, (req.params as Record<string, string>).id ?? '');
    const metas = (await snapshots.list()).filter((m) => m.node === s.node).sort((a, b) => a.takenAt.localeCompare(b.takenAt));
    const members = (await Promise.all(metas.map((m) => snapshots.get(m.id)))).filter((x): x is Snapshot => x !== null);
    const [first, ...rest] = members;
    const steps = first && rest.length > 0 ? await engine.run(engineSnapshot(first), { kind: 'diff', nodeIPs: first.nodeIPs, others: rest.map(nodeSnapshotRef) }) : [];
    if (q.format === 'markdown') res.type('text/markdown').send(formatTimelineMarkdown(steps));
    else res.json({ node: s.node, snapshots: members.map((m) => ({ id: m.id, takenAt: m.takenAt })), steps });
  });
  return r;
}
