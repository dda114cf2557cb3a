import { useEffect, useRef } from 'react';
import { formatShare, type Graph, type GraphEdge, type GraphNode, type RuleRef } from '@svcpath/graph';
import { formatPackets, type Heat } from '../counters/counter-heat';
import { RuleLines } from './RuleLines';

export interface InspectorProps {
  readonly graph: Graph;
  /** A node id or an edge id of `graph`. */
  readonly selected: string;
  readonly heat: Heat | undefined;
  readonly onClose: () => void;
  /** Opens a Service or namespace node (drills in). */
  readonly onOpen: (node: GraphNode) => void;
  /** Puts the trace form in front, aimed through the selected element's Service. */
  readonly onTraceHere: (service: string | undefined) => void;
}

/** The rules an edge stands for, found among its source node's rules. */
function edgeRules(graph: Graph, edge: GraphEdge): RuleRef[] {
  const source = graph.nodes.find((n) => n.id === edge.source);
  const keys = new Set(edge.rules.map((r) => `${r.chainId}#${r.index}`));
  return source?.rules.filter((r) => keys.has(`${r.chainId}#${r.index}`)) ?? [];
}

const labelOf = (graph: Graph, id: string) => graph.nodes.find((n) => n.id === id)?.label ?? id;

/**
 * What was clicked, beside the graph: the rule lines with their dump line and raw text, what the
 * chain does in plain words, counters when compared, and a way to trace a packet through it.
 * Escape closes it (handled here, so it works wherever focus is).
 */
export function Inspector({ graph, selected, heat, onClose, onOpen, onTraceHere }: InspectorProps) {
  const node = graph.nodes.find((n) => n.id === selected);
  const edge = node ? undefined : graph.edges.find((e) => e.id === selected);
  const head = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !(e.target as HTMLElement | null)?.closest('dialog') && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  if (!node && !edge) return null;
  const service = node?.service ?? graph.nodes.find((n) => n.id === edge?.source)?.service;
  const rules = node ? node.rules : edgeRules(graph, edge!);
  const partial = node ? node.totalRules > node.rules.length && node.kind !== 'service' : false;
  return (
    <section className="panel inspector" aria-label="Selected node">
      <header className="inspector-head">
        <div>
          <div className="inspector-kind">{node ? (node.chainKind && node.kind === 'chain' ? `${node.chainKind} chain` : node.kind) : `${edge!.kind} edge`}</div>
          <h2 className="mono" ref={head} tabIndex={-1}>
            {node ? node.label : `${labelOf(graph, edge!.source)} → ${labelOf(graph, edge!.target)}`}
          </h2>
          <div className="muted">{node ? node.detail : edge!.label}</div>
        </div>
        <button type="button" className="close" onClick={onClose} aria-label="Close the inspector (Escape)">
          ×
        </button>
      </header>
      {node && node.badges.length > 0 && (
        <div className="badges-row">
          {node.badges.map((b) => (
            <span key={b.text} className={`badge badge-${b.kind}`}>
              {b.text}
            </span>
          ))}
        </div>
      )}
      {node && <p className="explanation">{node.explanation}</p>}
      {edge?.probability !== undefined && <p className="explanation">Takes {formatShare(edge.probability)} of the new connections entering {labelOf(graph, edge.source)}.</p>}
      {edge?.affinity && <p className="explanation">Taken only by returning clients: a ClientIP-affinity rule remembered this client's endpoint.</p>}
      {heat && (
        <p className="inspector-counters">
          <b>{formatPackets(heat.packets)} packets</b> counted here between the two snapshots{heat.died ? ', dropped or rejected here' : ''}.
        </p>
      )}
      <div className="inspector-actions">
        {node && (node.kind === 'service' || node.kind === 'namespace') && (
          <button type="button" className="primary" onClick={() => onOpen(node)}>
            {node.kind === 'service' ? `Open ${node.service} rule by rule` : `Open namespace ${node.label}`}
          </button>
        )}
        <button type="button" onClick={() => onTraceHere(service)}>
          Trace a packet through here
        </button>
      </div>
      {rules.length > 0 && (
        <>
          <h3>
            Rules {partial && node && <span className="muted">({node.rules.length} of {node.totalRules} in this chain: the ones for this view)</span>}
          </h3>
          <RuleLines rules={rules} />
        </>
      )}
    </section>
  );
}
