import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { labelPoint, roundedPath } from '@svcpath/layout';
import type { SvcFlowEdge } from './to-flow';

/**
 * An edge along ELK's orthogonal route (so it goes around nodes); a bezier where ELK drew none.
 * Its label is HTML in the box ELK reserved for it, so it never covers a node or another label.
 */
function ElkEdge(p: EdgeProps<SvcFlowEdge>) {
  const points = p.data?.points;
  let path: string;
  let lx: number;
  let ly: number;
  if (points && points.length > 1) {
    path = roundedPath(points);
    ({ x: lx, y: ly } = labelPoint(points));
  } else {
    [path, lx, ly] = getBezierPath(p);
  }
  const box = p.data?.labelBox;
  const text = typeof p.label === 'string' ? p.label : '';
  const cls = ['svc-edge-label', p.data?.lit !== undefined ? 'lit' : '', p.data?.dim ? 'dim' : '', p.data?.affinity ? 'affinity' : '', p.data?.heat ? 'heat' : ''].filter(Boolean).join(' ');
  const at = box ? { left: box.x, top: box.y, width: box.width, height: box.height } : { left: lx, top: ly, transform: 'translate(-50%, -50%)' };
  return (
    <>
      <BaseEdge id={p.id} path={path} markerEnd={p.markerEnd} style={p.style} interactionWidth={12} />
      {(text || p.data?.heatText) && (
        <EdgeLabelRenderer>
          <div className={cls} style={{ position: 'absolute', ...at, zIndex: p.data?.lit !== undefined ? 6 : 1 }} data-edge={p.id}>
            {text}
            {p.data?.heatText && <span className="svc-edge-heat">{p.data.heatText}</span>}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const edgeTypes = { elk: ElkEdge };
