import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import { labelPoint, roundedPath } from '../layout/edge-path';
import type { SvcFlowEdge } from './to-flow';

/** An edge along ELK's orthogonal route (so it goes around nodes); a bezier where ELK drew none. */
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
  return (
    <BaseEdge
      id={p.id}
      path={path}
      markerEnd={p.markerEnd}
      style={p.style}
      label={p.label}
      labelX={lx}
      labelY={ly}
      labelShowBg
      labelBgPadding={[3, 1]}
      labelBgBorderRadius={3}
      interactionWidth={0}
    />
  );
}

export const edgeTypes = { elk: ElkEdge };
