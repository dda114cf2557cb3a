import { Router } from 'express';
import { z } from 'zod';
import { clusterStateOfSnapshot, type DiagnoseClusterState } from '@svcpath/diagnostics';
import { isIP } from 'node:net';
import { validate } from '../http/validate';
import type { Snapshot } from '../snapshots/snapshot';
import type { ApiDeps } from './api-deps';
import { nodeSnapshotRef } from './diff-routes';
import { engineSnapshot, requireSnapshot } from './snapshot-routes';

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

/**
 * GET /api/snapshots/:id/matrix: every node of the snapshot's collection side by side — which
 * Service ports a node programs differently (judged against the cluster state when a snapshot
 * holds one: two nodes are enough), and with `src`, `dst` and `dport` the same packet traced on
 * every node, outcome by node. Mounted beside the per-snapshot routes.
 */
export function matrixRoutes({ snapshots, engine }: Pick<ApiDeps, 'snapshots' | 'engine'>): Router {
  const r = Router({ mergeParams: true });
  r.get('/matrix', async (req, res) => {
    const q = validate(MatrixQuery, req.query, 'matrix query');
    const s = await requireSnapshot(snapshots, (req.params as Record<string, string>).id ?? '');
    const metas = (await snapshots.list()).filter((m) => m.collection === s.collection);
    const members = (await Promise.all(metas.map((m) => snapshots.get(m.id)))).filter((x): x is Snapshot => x !== null);
    // One snapshot per node: the newest, so a re-collected node is not compared with itself.
    const latest = new Map<string, Snapshot>();
    for (const m of members) if ((latest.get(m.node)?.takenAt ?? '') <= m.takenAt) latest.set(m.node, m);
    const [self, ...others] = [...latest.values()].sort((a, b) => a.node.localeCompare(b.node));
    const judge = clusterStateOf([...latest.values()]);
    const packet = q.dst && q.dport ? { src: q.src === 'node' ? null : q.src!, dst: q.dst, dport: q.dport, proto: q.proto } : null;
    const { findings, matrix } = await engine.run(engineSnapshot(self!), {
      kind: 'matrix',
      nodeName: self!.node,
      nodeIPs: self!.nodeIPs,
      others: others.map(nodeSnapshotRef),
      clusterState: judge,
      packet,
    });
    const nodes = [...latest.keys()].sort((a, b) => a.localeCompare(b));
    res.json({ collection: s.collection, nodes, judgedBy: judge ? 'cluster-state' : 'majority', findings, matrix });
  });
  return r;
}

function clusterStateOf(members: readonly Snapshot[]): DiagnoseClusterState | null {
  const newest = members.filter((m) => m.clusterState && m.clusterState.endpoints.kind !== 'unavailable').sort((a, b) => b.takenAt.localeCompare(a.takenAt))[0];
  return newest?.clusterState ? clusterStateOfSnapshot(newest.clusterState) : null;
}
