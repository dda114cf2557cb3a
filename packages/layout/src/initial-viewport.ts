import type { Layout, LayoutBox } from './elk-input';

export interface Viewport {
  readonly x: number;
  readonly y: number;
  readonly zoom: number;
}

export interface FitOptions {
  readonly width: number;
  readonly height: number;
  /** Screen pixels kept free around the content. */
  readonly margin: number;
  /** The smallest zoom at which the graph's smallest title or label is still 12 px on screen. */
  readonly readableZoom: number;
  readonly maxZoom: number;
}

/** Node boxes in absolute coordinates (layout boxes of children are relative to their group). */
export function absoluteBoxes(layout: Layout, parentOf: (id: string) => string | undefined): Map<string, LayoutBox> {
  const out = new Map<string, LayoutBox>();
  const abs = (id: string): LayoutBox | undefined => {
    const hit = out.get(id);
    if (hit) return hit;
    const box = layout.nodes[id];
    if (!box) return undefined;
    const p = parentOf(id);
    const pb = p ? abs(p) : undefined;
    const b = pb ? { ...box, x: box.x + pb.x, y: box.y + pb.y } : box;
    out.set(id, b);
    return b;
  };
  for (const id of Object.keys(layout.nodes)) abs(id);
  return out;
}

/** The bounding box of `boxes`. */
export function boundsOf(boxes: Iterable<LayoutBox>): LayoutBox | null {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  return x0 === Infinity ? null : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

const fitZoom = (b: LayoutBox, o: FitOptions) => Math.min((o.width - 2 * o.margin) / b.width, (o.height - 2 * o.margin) / b.height);

/** Centres `b` on an axis when it fits there at `zoom`, else starts it at the margin. */
function place(start: number, size: number, pane: number, zoom: number, margin: number): number {
  const drawn = size * zoom;
  return drawn <= pane - 2 * margin ? (pane - drawn) / 2 - start * zoom : margin - start * zoom;
}

/**
 * The view a graph opens at: everything, when everything fits readably; else the main path, never
 * below the readable zoom (what does not fit is reached by panning, or with "Fit all").
 */
export function initialViewport(all: LayoutBox, main: LayoutBox, o: FitOptions): Viewport & { fitted: 'all' | 'main' } {
  const zAll = fitZoom(all, o);
  const fitted = zAll >= o.readableZoom ? 'all' : 'main';
  const target = fitted === 'all' ? all : main;
  const zoom = Math.min(o.maxZoom, Math.max(o.readableZoom, fitted === 'all' ? zAll : fitZoom(main, o)));
  return { x: place(target.x, target.width, o.width, zoom, o.margin), y: place(target.y, target.height, o.height, zoom, o.margin), zoom, fitted };
}
