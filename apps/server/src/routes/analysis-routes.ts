import express, { Router } from 'express';
import { FlowInput } from '@svcpath/api-contract';
import { helpAnchor } from '@svcpath/diagnostics';
import { FindingsResponse } from '../http/findings-response';
import { FindingsQuery, OverviewQuery, ServicesQuery } from '../http/schemas';
import { validate } from '../http/validate';
import type { ApiDeps } from './api-deps';
import { engineSnapshot, requireSnapshot } from './snapshot-routes';

/**
 * What svcpath computes from one snapshot (one node's rules): its Services, the overview and
 * per-Service graphs, traces and the doctor's findings. Mounted at /api/snapshots/:id.
 */
export function analysisRoutes({ snapshots, engine }: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const snapshotOf = (params: Record<string, string>) => requireSnapshot(snapshots, params.id ?? '');

  r.get('/services', async (req, res) => {
    const q = validate(ServicesQuery, req.query, 'services query');
    const s = await snapshotOf(req.params);
    res.json(await engine.run(engineSnapshot(s), { kind: 'services', query: q.q, limit: q.limit }));
  });
  r.get('/graph', async (req, res) => {
    const q = validate(OverviewQuery, req.query, 'graph query');
    const s = await snapshotOf(req.params);
    res.json(await engine.run(engineSnapshot(s), { kind: 'overview', namespace: q.namespace, maxNodes: q.maxNodes }));
  });
  r.get('/services/:namespace/:name/graph', async (req, res) => {
    const s = await snapshotOf(req.params);
    const p = req.params as Record<string, string>;
    res.json(await engine.run(engineSnapshot(s), { kind: 'service-graph', service: `${p.namespace}/${p.name}` }));
  });
  r.post('/trace', express.json({ limit: '16kb' }), async (req, res) => {
    const flow = validate(FlowInput, req.body, 'flow');
    const s = await snapshotOf(req.params);
    res.json(await engine.run(engineSnapshot(s), { kind: 'trace', flow, nodeIPs: s.nodeIPs }));
  });
  r.get('/findings', async (req, res) => {
    const q = validate(FindingsQuery, req.query, 'findings query');
    const s = await snapshotOf(req.params);
    // The doctor can take seconds on a big snapshot: one the browser stopped waiting for is dropped.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const ct = s.document?.files.find((f) => f.kind === 'conntrack');
    const conntrack = ct ? { file: ct.name, text: ct.text } : undefined;
    const d = await engine.run(engineSnapshot(s), { kind: 'findings', nodeName: s.node, nodeIPs: s.nodeIPs, clusterState: s.clusterState ?? null, service: q.service, conntrack }, { signal: gone.signal });
    res.json(FindingsResponse.parse({ findings: d.findings.map((f) => ({ ...f, help: helpAnchor(f.code) })), focus: d.focus, notChecked: d.notChecked }));
  });
  return r;
}
