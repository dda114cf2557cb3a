import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { overlayTrace, serviceOfPortName, viewMarkdown, type GraphNode } from '@svcpath/graph';
import { ApiError } from './api/api-error';
import { dropServiceGraphPrefetch, prefetchServiceGraph } from './api/service-graph-prefetch';
import type { ServiceInfo } from './api/types';
import { countersQuery, findingsQuery, graphQuery, overviewQuery, serviceQuery, snapshotQuery, snapshotsQuery, traceQuery, sourcesQuery } from './api/queries';
import { CollectDialog } from './components/CollectDialog';
import { CountersPanel } from './components/CountersPanel';
import { ExportMenu } from './components/ExportButtons';
import { FindingsPanel } from './components/FindingsPanel';
import { ImportDialog } from './components/ImportDialog';
import { LazyView } from './components/LazyView';
import { ServiceSearch } from './components/ServiceSearch';
import { SideTabs } from './components/SideTabs';
import { SnapshotPicker } from './components/SnapshotPicker';
import { TracePanel } from './components/TracePanel';
import { counterHeat } from './counters/counter-heat';
import type { Scene } from './export/svg-scene';
import { evidenceHighlight } from './findings/evidence-highlight';
import { OVERVIEW_GRAPH_MAX_SERVICES, OverviewPane } from './overview/OverviewPane';
import { formatCount } from './overview/locale-text';
import { DiffView, GraphView, Inspector, NodeMatrix, preloadGraphView } from './lazy-views';
import { useTheme } from './theme';
import { posterOf } from './export/poster-of';
import { describeSource, staleEndpoints } from './trace/trace-facts';
import { useAfterPaint } from './use-after-paint';
import { useSideTab } from './use-side-tab';
import { useViewState, type SetView } from './use-view-state';
import { flowOf } from './view-state';

const asApiError = (e: unknown): ApiError | null => (e instanceof ApiError ? e : e ? new ApiError(0, 'ERROR', String(e)) : null);

export function App() {
  const [view, setView] = useViewState();
  const [theme, toggleTheme] = useTheme();
  const [capture, setCapture] = useState<{ fn: () => Scene } | null>(null);
  const onScene = useCallback((fn: (() => Scene) | null) => setCapture(fn ? { fn } : null), []);

  const snapshots = useQuery(snapshotsQuery());
  const list = snapshots.data?.snapshots ?? [];
  const snapshotId = view.snapshot ?? list[0]?.id;
  useEffect(() => {
    if (!view.snapshot && list[0]) setView({ snapshot: list[0].id }, 'replace');
  }, [view.snapshot, list, setView]);

  const detail = useQuery({ ...snapshotQuery(snapshotId ?? ''), enabled: !!snapshotId });
  // A big snapshot opens on the aggregated views (overview/), not on a graph of thousands of Services.
  const scaled = !view.service && (detail.data?.load.serviceCount ?? 0) > OVERVIEW_GRAPH_MAX_SERVICES;
  // A small snapshot (under 1 MB of dumps: a few dozen Services) asks for its graph at once, not
  // after its detail has said how many Services it has.
  const small = (list.find((s) => s.id === snapshotId)?.files.reduce((n, f) => n + f.bytes, 0) ?? Infinity) < 1_000_000;
  const graphQ = useQuery({ ...graphQuery(snapshotId ?? '', { service: view.service, ns: view.ns }), enabled: !!snapshotId && (detail.data ? !scaled : small || !!view.service) });
  const serviceQ = useQuery({ ...serviceQuery(snapshotId ?? '', view.service ?? ''), enabled: !!snapshotId && !!view.service });
  const service = serviceQ.data;
  const flow = flowOf(view);
  const traceQ = useQuery({ ...traceQuery(snapshotId ?? '', flow ?? { src: '', dst: '', dport: 0, proto: 'tcp' }), enabled: !!snapshotId && !!flow });
  // A big snapshot's namespace counts are asked with its detail, not after it has said how many
  // Services there are (one round of requests and renders less before the cards; the cards' query
  // is NamespaceGrid's, this asks it early and watches it).
  const big = !small && list.some((s) => s.id === snapshotId);
  const overviewQ = useQuery({ ...overviewQuery(snapshotId ?? ''), enabled: !!snapshotId && !view.service && (scaled || (big && !detail.data)) });
  // The doctor reads every Service, in an engine of its own that parses the snapshot again: on a big
  // snapshot's overview it is asked once the namespace cards are painted, so neither its CPU on the
  // server nor starting its request in the page is taken from the first paint.
  const cardsPainted = useAfterPaint(snapshotId ?? '', scaled && overviewQ.isSuccess);
  // A Service's own findings (the doctor tracing to it: 0.3-1.5 s of a server core on a big
  // snapshot) are asked once its graph is on screen (or has failed): asked with the graph, they took
  // a core from it (at 10k, the graph's server time was ~170 ms median with them, ~45 without).
  const serviceShown = useAfterPaint(`${snapshotId ?? ''}|${view.service ?? ''}`, !!view.service && (graphQ.isSuccess || graphQ.isError));
  const findingsNow = small || (view.service ? serviceShown : detail.isSuccess && (!scaled || cardsPainted));
  // The graph's code (React Flow: a chunk of its own) is asked beside a graph's data; on a big
  // snapshot once the namespace cards are painted, or with a namespace's list (while its rows are
  // fetched), so opening a Service does not wait for it.
  const graphSoon = graphQ.isFetching || !!graphQ.data || cardsPainted || !!view.ns;
  useEffect(() => {
    if (graphSoon) preloadGraphView();
  }, [graphSoon]);
  const findingsQ = useQuery({ ...findingsQuery(snapshotId ?? '', view.service ?? '', flow), enabled: !!snapshotId && findingsNow });
  const sourcesQ = useQuery({ ...sourcesQuery(snapshotId ?? ''), enabled: !!snapshotId });
  const countersQ = useQuery({ ...countersQuery(snapshotId ?? '', view.since ?? ''), enabled: !!snapshotId && !!view.since });

  // A trace on the overview that lands in one Service opens that Service's graph.
  useEffect(() => {
    const services = new Set(traceQ.data?.outcomes.map((o) => o.service).filter((s): s is string => !!s).map(serviceOfPortName));
    const only = [...services][0];
    if (!view.service && services.size === 1 && only) setView({ service: only, ns: undefined, node: undefined, finding: undefined }, 'replace');
  }, [traceQ.data, view.service, setView]);

  const graph = graphQ.data;
  const overlay = useMemo(() => (graph && traceQ.data ? overlayTrace(graph, traceQ.data, view.outcome) : null), [graph, traceQ.data, view.outcome]);
  const stale = useMemo(() => staleEndpoints(findingsQ.data?.findings ?? []), [findingsQ.data]);
  const finding = view.finding === undefined ? undefined : findingsQ.data?.findings[view.finding];
  const highlight = useMemo(() => (graph && finding ? evidenceHighlight(graph, finding.evidence) : null), [graph, finding]);
  const heat = useMemo(() => (graph && view.since && countersQ.data ? counterHeat(graph, countersQ.data.moved) : null), [graph, view.since, countersQ.data]);
  const meta = detail.data?.snapshot;

  const queryClient = useQueryClient();
  /**
   * Opens a Service (a list row, a search hit). Its graph is asked here, in the click's own task,
   * not by the render of the view it opens: on a busy machine that render starts the request 15-30
   * ms later. A search hit is the Service's entry already; a row asks for it with the graph.
   */
  const openService = (id: string, patch: Parameters<SetView>[0], known?: ServiceInfo) => {
    if (snapshotId) {
      prefetchServiceGraph(queryClient, snapshotId, id);
      if (known) queryClient.setQueryData(serviceQuery(snapshotId, id).queryKey, known);
    }
    setView({ ...patch, service: id });
  };

  const [tab, setTab] = useSideTab(view);
  const closeInspector = useCallback(() => setView({ node: undefined }, 'replace'), [setView]);
  const traceHere = (svc: string | undefined) => {
    if (svc && svc !== view.service) setView({ service: svc, ns: undefined, node: undefined, dst: undefined, dport: undefined, ret: undefined, outcome: undefined, finding: undefined });
    else setView({ node: undefined }, 'replace');
    setTab('trace');
    requestAnimationFrame(() => document.querySelector<HTMLInputElement>('input[name="src"]')?.focus());
  };
  const openNode = (n: GraphNode) => {
    if (n.kind === 'service' && n.service) setView({ service: n.service, node: undefined, finding: undefined });
    else if (n.kind === 'namespace') setView({ ns: n.label, node: undefined, finding: undefined });
  };
  const poster = () =>
    meta
      ? posterOf({
          title: view.service ?? graph?.title ?? 'svcpath',
          meta,
          trace: flow && traceQ.data ? { flow, result: traceQ.data, returningTo: view.ret, source: describeSource(flow.src, traceQ.data.origin, sourcesQ.data?.sources ?? [], meta.node) } : null,
        })
      : null;
  const markdown = () =>
    meta
      ? viewMarkdown({
          title: view.service ?? graph?.title ?? 'svcpath',
          source: `Node \`${meta.node}\` (collection ${meta.collection}, taken ${meta.takenAt}, node IPs ${meta.nodeIPs.join(', ') || 'none'}). View: ${window.location.href}`,
          graph: graph ?? null,
          ...(flow && traceQ.data ? { trace: { flow, result: traceQ.data } } : {}),
        })
      : null;

  return (
    <div className="app">
      <a className="skip-link" href="#side-panels">
        Skip the graph: to the trace form, findings and details
      </a>
      <header className="topbar">
        <div className="brand" title="Kubernetes Service traffic paths">
          <span className="logo" aria-hidden="true">◇</span> svcpath
        </div>
        <SnapshotPicker snapshots={list} value={snapshotId} onChange={(id) => setView({ snapshot: id, service: undefined, ns: undefined, node: undefined, outcome: undefined, ret: undefined, finding: undefined, since: undefined })} />
        {snapshotId && <ServiceSearch snapshot={snapshotId} onPick={(s) => openService(s.id, { ns: undefined, node: undefined, dst: undefined, dport: undefined, ret: undefined, outcome: undefined, finding: undefined }, s)} />}
        <div className="spacer" />
        <a href="/fleet">Fleet</a>
        <ImportDialog onImported={(id) => setView({ snapshot: id, service: undefined, ns: undefined, node: undefined, finding: undefined })} />
        <CollectDialog onCollected={(id) => setView({ snapshot: id, service: undefined, ns: undefined, node: undefined, finding: undefined })} />
        <ExportMenu capture={capture?.fn ?? null} poster={poster} markdown={markdown} nameParts={[meta?.node, view.service ?? view.ns]} />
        <button type="button" className="theme-toggle" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <nav className="crumbs" aria-label="View">
        <button type="button" className="link" onClick={() => setView({ service: undefined, ns: undefined, node: undefined, finding: undefined })}>
          All Services
        </button>
        {(view.ns || view.service) && <span aria-hidden="true">›</span>}
        {(view.ns ?? view.service?.split('/')[0]) && (
          <button type="button" className="link" onClick={() => setView({ ns: view.ns ?? view.service?.split('/')[0], service: undefined, node: undefined, finding: undefined })}>
            {view.ns ?? view.service?.split('/')[0]}
          </button>
        )}
        {view.service && (
          <>
            <span aria-hidden="true">›</span>
            <b>{view.service.split('/')[1]}</b>
          </>
        )}
        {detail.data && (
          <span className="crumb-meta muted">
            {formatCount(detail.data.load.serviceCount)} Services · {formatCount(detail.data.load.chainCount)} chains · {formatCount(detail.data.load.ruleCount)} rules
            {detail.data.load.diagnosticCount > 0 ? ` · ${formatCount(detail.data.load.diagnosticCount)} lines not understood` : ''}
          </span>
        )}
        {!scaled && graph?.truncated && <span className="crumb-note">{graph.truncated.reason}</span>}
      </nav>
      <main className="workspace">
        <div className="graph-pane">
          {graphQ.error && <div className="graph-message error">{asApiError(graphQ.error)?.message}</div>}
          {scaled && snapshotId && (
            <OverviewPane
              snapshot={snapshotId}
              namespace={view.ns}
              findings={findingsQ.data}
              findingsFailed={!!findingsQ.error}
              onOpenNamespace={(ns) => setView({ ns, node: undefined, finding: undefined })}
              onOpenService={(id) => openService(id, { ns: undefined, node: undefined, finding: undefined })}
              onPreviewService={(id, near) => (near ? prefetchServiceGraph : dropServiceGraphPrefetch)(queryClient, snapshotId, id)}
            />
          )}
          {!scaled && !graph && !graphQ.error && <div className="graph-message">Loading{snapshotId ? ` ${snapshotId}` : ''}…</div>}
          {!scaled && graph && graph.nodes.length === 0 && (
            <div className="graph-message" role="status">
              <p className="graph-empty">
                {graph.kind === 'overview'
                  ? "No Kubernetes Services in this snapshot's rules: kube-proxy wrote none of its per-Service chains here, so there is no picture to draw. The Trace tab still walks a packet through every chain the dump has."
                  : "This Service's rules hold nothing to draw."}
              </p>
            </div>
          )}
          {!scaled && graph && graph.nodes.length > 0 && snapshotId && (
            <LazyView what="graph view" pane>
              <GraphView
                graph={graph}
                cacheKey={`${snapshotId}|${graph.key}`}
                overlay={overlay}
                highlight={highlight}
                heat={heat}
                selected={view.node}
                colorMode={theme}
                onSelect={(id) => {
                  const n = graph.nodes.find((x) => x.id === id);
                  if (n && (n.kind === 'service' || n.kind === 'namespace') && view.node === id) openNode(n);
                  else setView({ node: id }, 'replace');
                }}
                onScene={onScene}
              />
            </LazyView>
          )}
        </div>
        <aside className="sidebar" id="side-panels" tabIndex={-1} aria-label="Trace, findings and details">
          <SideTabs
            active={tab}
            onChange={setTab}
            tabs={[
              ...(graph && view.node
                ? [
                    {
                      id: 'inspector',
                      label: 'Inspector',
                      content: (
                        <LazyView what="inspector">
                          <Inspector graph={graph} selected={view.node} heat={heat?.nodes[view.node] ?? heat?.edges[view.node]} onClose={closeInspector} onOpen={openNode} onTraceHere={traceHere} />
                        </LazyView>
                      ),
                    },
                  ]
                : []),
              {
                id: 'trace',
                label: 'Trace',
                content: (
                  <TracePanel
                    view={view}
                    setView={setView}
                    nodeIPs={meta?.nodeIPs ?? []}
                    sources={sourcesQ.data?.sources ?? []}
                    service={service}
                    result={traceQ.data}
                    loading={traceQ.isFetching}
                    error={asApiError(traceQ.error)}
                    thisNode={meta?.node}
                    stale={stale}
                  />
                ),
              },
              {
                id: 'findings',
                label: 'Findings',
                ...(findingsQ.data ? { count: findingsQ.data.findings.length } : {}),
                content: (
                  <FindingsPanel
                    result={findingsQ.data}
                    loading={findingsQ.isFetching}
                    error={asApiError(findingsQ.error)}
                    selected={view.finding}
                    onSelect={(i) => setView({ finding: i }, 'replace')}
                    unmatched={highlight?.unmatched ?? 0}
                  />
                ),
              },
              {
                id: 'counters',
                label: 'Counters',
                content: (
                  <CountersPanel
                    current={meta}
                    snapshots={list}
                    since={view.since}
                    onChange={(since) => setView({ since }, 'replace')}
                    result={view.since ? countersQ.data : undefined}
                    loading={countersQ.isFetching}
                    error={view.since ? asApiError(countersQ.error) : null}
                    unmatched={heat?.unmatched ?? 0}
                  />
                ),
              },
              // Mounted only while in front: both ask the server for work no other view needs.
              {
                id: 'nodes',
                label: 'Nodes',
                content:
                  tab === 'nodes' && snapshotId ? (
                    <LazyView what="node matrix">
                      <NodeMatrix snapshotId={snapshotId} />
                    </LazyView>
                  ) : null,
              },
              {
                id: 'changes',
                label: 'Changes',
                content:
                  tab === 'changes' && snapshotId ? (
                    <LazyView what="changes view">
                      <DiffView snapshotId={snapshotId} />
                    </LazyView>
                  ) : null,
              },
            ]}
          />
        </aside>
      </main>
    </div>
  );
}
