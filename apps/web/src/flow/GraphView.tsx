import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Background, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, useStore, type ColorMode } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { Graph, TraceOverlay } from '@svcpath/graph';
import type { CounterHeat } from '../counters/counter-heat';
import { givenLayout, layoutGraph } from '../layout/layout-client';
import type { Layout } from '@svcpath/layout';
import { mainPath } from '@svcpath/layout';
import type { Scene } from '../export/svg-scene';
import { sceneOfFlow } from './scene-of-flow';
import { edgeTypes } from './elk-edge';
import { fitAllViewport, fitTargets, openingViewport } from './fit';
import { nextNode } from './graph-keys';
import { Legend } from './Legend';
import { nodeTypes } from './svc-node';
import { toFlow, type SvcFlowEdge, type SvcFlowNode } from './to-flow';

export interface GraphViewProps {
  readonly graph: Graph;
  /** Layout cache key: snapshot id + graph key. */
  readonly cacheKey: string;
  readonly overlay: TraceOverlay | null;
  /** The graph nodes and edges the finding in focus cites. */
  readonly highlight: { readonly nodeIds: readonly string[]; readonly edgeIds: readonly string[] } | null;
  /** Counter deltas against an earlier snapshot: where packets went and died. */
  readonly heat: CounterHeat | null;
  readonly selected: string | undefined;
  readonly colorMode: ColorMode;
  /** A node or edge id was chosen (click, or Enter on a focused node); undefined clears. */
  readonly onSelect: (id: string | undefined) => void;
  /** Gives the app a way to capture the current view (PNG/SVG export). */
  readonly onScene: (capture: (() => Scene) | null) => void;
}

function SceneBridge({ title, onScene }: { title: string; onScene: GraphViewProps['onScene'] }) {
  const rf = useReactFlow<SvcFlowNode, SvcFlowEdge>();
  useEffect(() => {
    onScene(() => sceneOfFlow(rf, document.querySelector<HTMLElement>('.graph-pane .react-flow')!, title));
    return () => onScene(null);
  }, [rf, title, onScene]);
  return null;
}

type Targets = NonNullable<ReturnType<typeof fitTargets>>;

/**
 * Opens the graph at a readable zoom on its main path (the traced path once a trace lights one),
 * and again whenever that path changes; the toolbar's buttons fit the path or everything.
 */
function useFitting(targets: Targets | null, mainKey: string) {
  const rf = useReactFlow<SvcFlowNode, SvcFlowEdge>();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const [fitted, setFitted] = useState<'all' | 'main' | null>(null);
  const fitPath = useCallback(
    (duration = 0) => {
      if (!targets || !width || !height) return;
      const v = openingViewport(targets, width, height);
      void rf.setViewport(v, { duration });
      setFitted(v.fitted);
    },
    [rf, targets, width, height],
  );
  const fitAll = useCallback(() => {
    if (targets && width && height) void rf.setViewport(fitAllViewport(targets, width, height), { duration: 250 });
  }, [rf, targets, width, height]);
  const sized = width > 0 && height > 0;
  useEffect(() => {
    if (sized) fitPath();
    // Refit when the path or the pane changes, not on every render of the same view.
  }, [mainKey, sized]);
  return { fitPath, fitAll, fitted };
}

/** Graphs with more nodes than this may show a minimap (off until asked for: it would cover part of the graph). */
const MINIMAP_MIN_NODES = 40;

function Toolbar({ fitting, heat, map }: { fitting: ReturnType<typeof useFitting>; heat: boolean; map: { shown: boolean; toggle: () => void } | null }) {
  const rf = useReactFlow();
  return (
    <div className="graph-toolbar" role="toolbar" aria-label="Graph view">
      <button type="button" onClick={() => fitting.fitPath(250)} title="Fit the main path (the traced path when there is one) at a readable size">
        Fit path
      </button>
      <button type="button" onClick={fitting.fitAll} title="Show the whole graph, however small">
        Fit all
      </button>
      <button type="button" aria-label="Zoom in" onClick={() => void rf.zoomIn({ duration: 150 })}>
        +
      </button>
      <button type="button" aria-label="Zoom out" onClick={() => void rf.zoomOut({ duration: 150 })}>
        −
      </button>
      {map && (
        <button type="button" aria-pressed={map.shown} onClick={map.toggle} title="Show a map of the whole graph in the corner (it covers that corner of the graph)">
          Map
        </button>
      )}
      {fitting.fitted === 'main' && <span className="graph-toolbar-note muted">Showing the main path readably; pan or Fit all for the rest</span>}
      <div className="spacer" />
      <Legend heat={heat} />
    </div>
  );
}

function Canvas(p: GraphViewProps & { layout: Layout }) {
  const flow = useMemo(() => toFlow(p.graph, p.layout, p.overlay, p.selected, p.highlight, p.heat), [p.graph, p.layout, p.overlay, p.selected, p.highlight, p.heat]);
  const main = useMemo(() => mainPath(p.graph, p.overlay), [p.graph, p.overlay]);
  const targets = useMemo(() => fitTargets(p.graph, p.layout, main), [p.graph, p.layout, main]);
  const fitting = useFitting(targets, [...main].sort().join('|'));
  const wrap = useRef<HTMLDivElement>(null);
  const [mapShown, setMapShown] = useState(false);
  const map = flow.nodes.length > MINIMAP_MIN_NODES ? { shown: mapShown, toggle: () => setMapShown((v) => !v) } : null;
  const onKeyDown = (e: React.KeyboardEvent) => {
    const id = (e.target as HTMLElement).closest<HTMLElement>('.react-flow__node')?.dataset.id;
    if (!id) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      p.onSelect(id);
      return;
    }
    const pos = (x: string) => p.layout.nodes[x] ?? { x: 0, y: 0 };
    const next = nextNode(p.graph, id, e.key, (a, b) => pos(a).x - pos(b).x || pos(a).y - pos(b).y);
    if (!next) return;
    e.preventDefault();
    wrap.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(next)}"]`)?.focus();
  };
  return (
    <>
      <Toolbar fitting={fitting} heat={!!p.heat} map={map} />
      <div className="graph-canvas" ref={wrap} onKeyDown={onKeyDown}>
        <ReactFlow<SvcFlowNode, SvcFlowEdge>
          nodes={flow.nodes}
          edges={flow.edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          colorMode={p.colorMode}
          minZoom={0.05}
          maxZoom={2.5}
          nodesDraggable={false}
          nodesConnectable={false}
          nodesFocusable
          elementsSelectable
          onlyRenderVisibleElements={flow.nodes.length > 300}
          onNodeClick={(_e, n) => n.type !== 'svcGroup' && p.onSelect(n.id)}
          onEdgeClick={(_e, edge) => p.onSelect(edge.id)}
          onPaneClick={() => p.onSelect(undefined)}
          aria-label={`Graph: ${p.graph.title}. Tab to a node; arrow keys move along edges; Enter shows its rules.`}
        >
          <Background gap={22} size={1} />
          {map?.shown && <MiniMap pannable zoomable nodeStrokeWidth={3} position="bottom-right" />}
          <SceneBridge title={p.graph.title} onScene={p.onScene} />
        </ReactFlow>
      </div>
    </>
  );
}

/**
 * The graph, laid out by ELK (in the server's engine, or in a worker here; cached), drawn by React
 * Flow with the trace lit. A layout the server sent is drawn in the same render as the graph's
 * answer: waiting for a promise that has settled already cost a render and a commit of its own.
 */
export function GraphView(p: GraphViewProps) {
  const given = useMemo(() => givenLayout(p.graph), [p.graph]);
  const [laid, setLaid] = useState<{ key: string; layout: Layout } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setError(null);
    if (given) return;
    let live = true;
    layoutGraph(p.cacheKey, p.graph).then(
      (layout) => live && setLaid({ key: p.cacheKey, layout }),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [p.cacheKey, p.graph, given]);
  const ready = given ?? (laid?.key === p.cacheKey ? laid.layout : null);
  if (error && !given) return <div className="graph-message error">Layout failed: {error}</div>;
  if (!ready) return <div className="graph-message">Laying out {p.graph.nodes.length} nodes…</div>;
  return (
    <div className="graph-frame">
      <ReactFlowProvider key={p.cacheKey}>
        <Canvas {...p} layout={ready} />
      </ReactFlowProvider>
    </div>
  );
}
