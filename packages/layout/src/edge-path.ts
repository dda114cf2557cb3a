/** Edge geometry from ELK's routes, shared by the React Flow edge and the SVG export. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

const r2 = (v: number) => Math.round(v * 10) / 10;

/** An SVG path through `points` with corners rounded by up to `radius`. */
export function roundedPath(points: readonly Point[], radius = 10): string {
  if (points.length === 0) return '';
  const first = points[0]!;
  let d = `M ${r2(first.x)} ${r2(first.y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const prev = points[i - 1]!;
    const cur = points[i]!;
    const next = points[i + 1]!;
    const inLen = Math.hypot(cur.x - prev.x, cur.y - prev.y);
    const outLen = Math.hypot(next.x - cur.x, next.y - cur.y);
    const r = Math.min(radius, inLen / 2, outLen / 2);
    const a = { x: cur.x - ((cur.x - prev.x) / (inLen || 1)) * r, y: cur.y - ((cur.y - prev.y) / (inLen || 1)) * r };
    const b = { x: cur.x + ((next.x - cur.x) / (outLen || 1)) * r, y: cur.y + ((next.y - cur.y) / (outLen || 1)) * r };
    d += ` L ${r2(a.x)} ${r2(a.y)} Q ${r2(cur.x)} ${r2(cur.y)} ${r2(b.x)} ${r2(b.y)}`;
  }
  const last = points[points.length - 1]!;
  if (points.length > 1) d += ` L ${r2(last.x)} ${r2(last.y)}`;
  return d;
}

/** Where to put an edge's label: the middle of its longest horizontal run, else its midpoint. */
export function labelPoint(points: readonly Point[]): Point {
  let best: { p: Point; len: number } | null = null;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const len = Math.abs(b.x - a.x);
    if (Math.abs(b.y - a.y) < 0.5 && (!best || len > best.len)) best = { p: { x: (a.x + b.x) / 2, y: a.y }, len };
  }
  if (best) return best.p;
  const a = points[0] ?? { x: 0, y: 0 };
  const b = points[points.length - 1] ?? a;
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}
