import type { CSSProperties } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { formatShare } from '@svcpath/graph';
import { formatPackets, heatColor } from '../counters/counter-heat';
import type { SvcFlowNode } from './to-flow';

const KIND_TEXT: Readonly<Record<string, string>> = {
  hook: 'hook',
  service: 'Service',
  namespace: 'namespace',
  endpoint: 'endpoint',
  verdict: 'verdict',
};

function SvcNode({ data, selected }: NodeProps<SvcFlowNode>) {
  const { g, lit, dim, evidence, heat } = data;
  const cls = ['svc-node', `kind-${g.kind}`, g.chainKind ? `ck-${g.chainKind}` : '', g.kind === 'verdict' ? `verdict-${g.label}` : '', lit !== undefined ? 'lit' : '', dim ? 'dim' : '', evidence ? 'evidence' : '', heat ? 'heat' : '', heat?.died ? 'died' : '', selected ? 'selected' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={cls} title={g.explanation} style={heat ? ({ '--heat': heatColor(heat) } as CSSProperties) : undefined}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="svc-node-top">
        <span className="svc-node-kind">{g.chainKind && g.kind === 'chain' ? g.chainKind.toUpperCase() : KIND_TEXT[g.kind] ?? g.kind}</span>
        {lit !== undefined && <span className="svc-node-share">{formatShare(lit)}</span>}
        {heat && (
          <span className="svc-node-packets" title={`${heat.packets} packets counted here between the two snapshots${heat.died ? ', dropped or rejected' : ''}`}>
            {heat.died ? '✕ ' : ''}
            {formatPackets(heat.packets)} pkts
          </span>
        )}
      </div>
      <div className="svc-node-label">{g.label}</div>
      <div className="svc-node-detail">{g.detail}</div>
      {g.badges.length > 0 && (
        <div className="svc-node-badges">
          {g.badges.slice(0, 3).map((b) => (
            <span key={b.text} className={`badge badge-${b.kind}`}>
              {b.text}
            </span>
          ))}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

function GroupNode({ data }: NodeProps<SvcFlowNode>) {
  return (
    <div className="svc-group">
      <div className="svc-group-label">{data.g.label}</div>
    </div>
  );
}

/** Module scope, so React Flow never sees a new object and re-mounts nodes. */
export const nodeTypes = { svc: SvcNode, svcGroup: GroupNode };
