import express, { Router } from 'express';
import { FlowInput, type CountersWindow } from '@svcpath/api-contract';
import { helpAnchor } from '@svcpath/diagnostics';
import { FindingsResponse } from '@svcpath/api-contract';
import { DomainError } from '../errors';
import { CountersQuery, FindingsQuery, OverviewQuery, ServicesQuery } from '../http/schemas';
import { validate } from '../http/validate';
import type { ApiDeps } from './api-deps';
import { KeptJson } from './kept-json';
import { matrixRoutes } from './matrix-routes';
import { engineSnapshot, requireSnapshot } from './snapshot-routes';

/**
 * What svcpath computes from one snapshot (one node's rules): its Services, the overview and
 * per-Service graphs, traces, the doctor's findings, and counter deltas against an earlier snapshot. Mounted at /api/snapshots/:id.
 */
export function analysisRoutes({ snapshots, engine }: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const snapshotOf = (params: Record<string, string>) => requireSnapshot(snapshots, params.id ?? '');
  // The doctor's answers as sent: a snapshot's findings for one query never change (see KeptJson).
  const findingsSent = new KeptJson();

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
  // One Service by its id (the row or search hit a page opens knows it): a lookup, not a search.
  r.get('/services/:namespace/:name', async (req, res) => {
    const s = await snapshotOf(req.params);
    const p = req.params as Record<string, string>;
    res.json({ service: await engine.run(engineSnapshot(s), { kind: 'service', service: `${p.namespace}/${p.name}` }) });
  });
  r.get('/services/:namespace/:name/graph', async (req, res) => {
    const s = await snapshotOf(req.params);
    const p = req.params as Record<string, string>;
    // A page asks for a graph before it is opened (a pointer resting on its row) and cancels it when
    // the pointer moves on: one not yet started is dropped, not laid out in front of the next.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    res.json(await engine.run(engineSnapshot(s), { kind: 'service-graph', service: `${p.namespace}/${p.name}` }, { signal: gone.signal }));
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
    const snapshot = engineSnapshot(s);
    const key = [snapshot.id, snapshot.version, q.service ?? '', q.from ?? '', q.to ?? '', q.proto ?? ''].join('\u0000');
    const text = await findingsSent.get(key, async () => {
      const d = await engine.run(snapshot, { kind: 'findings', nodeName: s.node, nodeIPs: s.nodeIPs, clusterState: s.clusterState ?? null, service: q.service, from: q.from, to: q.to, proto: q.proto, conntrack }, { signal: gone.signal });
      return FindingsResponse.parse({ findings: d.findings.map((f) => ({ ...f, help: helpAnchor(f.code) })), focus: d.focus, notChecked: d.notChecked });
    });
    res.type('application/json').send(text);
  });
  // Where packets went between two saves of one node's rules: the rule counters that moved.
  r.get('/counters', async (req, res) => {
    const q = validate(CountersQuery, req.query, 'counters query');
    const s = await snapshotOf(req.params);
    if (q.since === s.id) throw new DomainError('INVALID_REQUEST', 'compare a snapshot with another one', { since: q.since });
    const since = await requireSnapshot(snapshots, q.since);
    if (since.node !== s.node)
      throw new DomainError('NODE_MISMATCH', `counters can only be compared between snapshots of one node: "${since.node}" is not "${s.node}"`, { node: s.node, sinceNode: since.node });
    const report = await engine.run(engineSnapshot(s), { kind: 'counters', since: engineSnapshot(since) });
    const seconds = (Date.parse(s.takenAt) - Date.parse(since.takenAt)) / 1000;
    const window: CountersWindow = { node: s.node, since: { id: since.id, takenAt: since.takenAt }, until: { id: s.id, takenAt: s.takenAt }, seconds: Number.isFinite(seconds) ? seconds : null };
    res.json({ ...window, ...report });
  });
  r.use(matrixRoutes({ snapshots, engine }));
  return r;
}
