import { useEffect, useMemo, useState } from 'react';
import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type ColorMode } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { Graph, TraceOverlay } from '@svcpath/graph';
import type { CounterHeat } from '../counters/counter-heat';
import { layoutGraph } from '../layout/layout-client';
import type { Layout } from '../layout/elk-input';
import type { Scene } from '../export/svg-scene';
import { sceneOfFlow } from './scene-of-flow';
import { edgeTypes } from './elk-edge';
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
  readonly onSelect: (nodeId: string | undefined) => void;
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

/** The graph, laid out by ELK in a worker (cached), drawn by React Flow with the trace lit. */
export function GraphView(p: GraphViewProps) {
  const [laid, setLaid] = useState<{ key: string; layout: Layout } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    layoutGraph(p.cacheKey, p.graph).then(
      (layout) => live && setLaid({ key: p.cacheKey, layout }),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [p.cacheKey, p.graph]);
  const ready = laid?.key === p.cacheKey ? laid.layout : null;
  const flow = useMemo(() => (ready ? toFlow(p.graph, ready, p.overlay, p.selected, p.highlight, p.heat) : null), [ready, p.graph, p.overlay, p.selected, p.highlight, p.heat]);
  if (error) return <div className="graph-message error">Layout failed: {error}</div>;
  if (!flow) return <div className="graph-message">Laying out {p.graph.nodes.length} nodes…</div>;
  return (
    <ReactFlow<SvcFlowNode, SvcFlowEdge>
      key={p.cacheKey}
      nodes={flow.nodes}
      edges={flow.edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      colorMode={p.colorMode}
      fitView
      fitViewOptions={{ padding: 0.04, maxZoom: 1.1 }}
      minZoom={0.05}
      maxZoom={2.5}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable
      onlyRenderVisibleElements={flow.nodes.length > 300}
      onNodeClick={(_e, n) => n.type !== 'svcGroup' && p.onSelect(n.id)}
      onPaneClick={() => p.onSelect(undefined)}
      aria-label={`Graph: ${p.graph.title}`}
    >
      <Background gap={22} size={1} />
      <Controls showInteractive={false} />
      {flow.nodes.length > 40 && <MiniMap pannable zoomable nodeStrokeWidth={3} />}
      <SceneBridge title={p.graph.title} onScene={p.onScene} />
    </ReactFlow>
  );
}
