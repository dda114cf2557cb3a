import type { Graph } from '@svcpath/graph';
import type { Layout, LayoutBox } from '@svcpath/layout';
import { absoluteBoxes, boundsOf, initialViewport, type Viewport } from '@svcpath/layout';

/** The smallest text the graph draws that must stay readable (node titles, 13 px; edge labels 12.5 px). */
const SMALLEST_TEXT_PX = 12.5;
/** At this zoom the smallest title or edge label is 12 px on screen. */
export const READABLE_ZOOM = 12 / SMALLEST_TEXT_PX;
const MAX_ZOOM = 1.3;
const MARGIN = 24;

/** Boxes of the whole graph and of the main path, in flow coordinates. */
export function fitTargets(graph: Graph, layout: Layout, main: ReadonlySet<string>): { all: LayoutBox; main: LayoutBox } | null {
  const parent = new Map(graph.nodes.map((n) => [n.id, n.parentId]));
  const abs = absoluteBoxes(layout, (id) => parent.get(id));
  const all = boundsOf([...abs.values(), ...Object.values(layout.labels ?? {})]);
  // The path's nodes and the labels of the edges between them.
  const labels = graph.edges.filter((e) => main.has(e.source) && main.has(e.target)).map((e) => layout.labels?.[e.id]);
  const mainBox = boundsOf([...[...main].map((id) => abs.get(id)), ...labels].filter((b): b is LayoutBox => !!b));
  return all ? { all, main: mainBox ?? all } : null;
}

/** The viewport a graph opens at in a pane of `width` × `height` (see initialViewport). */
export function openingViewport(t: { all: LayoutBox; main: LayoutBox }, width: number, height: number): Viewport & { fitted: 'all' | 'main' } {
  return initialViewport(t.all, t.main, { width, height, margin: MARGIN, readableZoom: READABLE_ZOOM, maxZoom: MAX_ZOOM });
}

/** Everything in view, however small. */
export function fitAllViewport(t: { all: LayoutBox }, width: number, height: number): Viewport {
  return initialViewport(t.all, t.all, { width, height, margin: MARGIN, readableZoom: 0.02, maxZoom: MAX_ZOOM });
}
