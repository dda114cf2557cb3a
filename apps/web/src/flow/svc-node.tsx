import type { CSSProperties } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { formatShare } from '@svcpath/graph';
import { isMasqueradeSide } from '@svcpath/layout';
import { kindText, MAX_BADGES } from '@svcpath/layout';
import { formatPackets, heatColor } from '../counters/counter-heat';
import type { SvcFlowNode } from './to-flow';


function SvcNode({ data, selected }: NodeProps<SvcFlowNode>) {
  const { g, lit, dim, evidence, heat, vertical } = data;
  // A traced share is printed once, where the outcome is (endpoint or verdict), not on every chain
  // the packet crossed on its way.
  // MASQUERADE in POSTROUTING rewrites the source of every outcome: not an outcome itself.
  const isOutcome = g.kind === 'endpoint' || (g.kind === 'verdict' && !isMasqueradeSide(g));
  const cls = ['svc-node', `kind-${g.kind}`, g.chainKind ? `ck-${g.chainKind}` : '', g.kind === 'verdict' ? `verdict-${g.label}` : '', lit !== undefined ? 'lit' : '', dim ? 'dim' : '', evidence ? 'evidence' : '', heat ? 'heat' : '', heat?.died ? 'died' : '', selected ? 'selected' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={cls} style={heat ? ({ '--heat': heatColor(heat) } as CSSProperties) : undefined}>
      <Handle type="target" position={vertical ? Position.Top : Position.Left} isConnectable={false} />
      {((lit !== undefined && isOutcome) || heat) && (
        <div className="svc-node-corner">
          {lit !== undefined && isOutcome && <span className="svc-node-share">{formatShare(lit)}</span>}
          {heat && (
            <span className="svc-node-packets" title={`${heat.packets} packets counted here between the two snapshots${heat.died ? ', dropped or rejected' : ''}`}>
              {heat.died ? '✕ ' : ''}
              {formatPackets(heat.packets)} pkts
            </span>
          )}
        </div>
      )}
      <div className="svc-node-label">{g.label}</div>
      <div className="svc-node-detail">
        <span className="svc-node-kind">{kindText(g)}</span> {g.detail}
      </div>
      {g.badges.length > 0 && (
        <div className="svc-node-badges">
          {g.badges.slice(0, MAX_BADGES).map((b) => (
            <span key={b.text} className={`badge badge-${b.kind}`}>
              {b.text}
            </span>
          ))}
        </div>
      )}
      <Handle type="source" position={vertical ? Position.Bottom : Position.Right} isConnectable={false} />
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
