import type { GraphNode } from '@svcpath/graph';
import { estimateText, type MeasureText } from './measure';

/** Node boxes, shared by the layout (which needs sizes up front) and the node components. */
const BASE: Readonly<Record<GraphNode['kind'], { width: number; height: number }>> = {
  hook: { width: 150, height: 50 },
  chain: { width: 200, height: 50 },
  service: { width: 200, height: 50 },
  namespace: { width: 200, height: 50 },
  group: { width: 0, height: 0 },
  endpoint: { width: 150, height: 50 },
  verdict: { width: 150, height: 50 },
};

/** Left accent bar + padding on both sides (see .svc-node in styles.css). */
const PAD_X = 26;
const BADGE_ROW = 24;
/** Room kept right of the title for the traced share or packet count (`100%`). */
const CORNER = 46;

const KIND_TEXT: Readonly<Record<string, string>> = { hook: 'hook', service: 'Service', namespace: 'namespace', endpoint: 'endpoint', verdict: 'verdict', group: 'namespace' };

/** The kind tag that starts a node's detail line: `SVC`, `SEP`, `hook`, `endpoint`… */
export function kindText(n: Pick<GraphNode, 'kind' | 'chainKind'>): string {
  return n.chainKind && n.kind === 'chain' ? n.chainKind.toUpperCase() : (KIND_TEXT[n.kind] ?? n.kind);
}
const MAX_WIDTH = 440;
/** Badges drawn on a node (the rest are in the inspector). */
export const MAX_BADGES = 3;

/**
 * A node's box: wide enough for its whole title, detail line and badges, so no word is clipped
 * (up to MAX_WIDTH, past which the detail line ends in an ellipsis and the inspector has the rest).
 */
export function nodeSize(n: Pick<GraphNode, 'kind' | 'chainKind' | 'badges' | 'label' | 'detail'>, measure: MeasureText = estimateText): { width: number; height: number } {
  const b = BASE[n.kind];
  if (n.kind === 'group') return b;
  const title = measure(n.label, n.kind === 'service' || n.kind === 'namespace' ? 'serviceTitle' : 'title') + CORNER;
  // The tag, in small bold capitals, then a space and the detail; a few pixels of slack for rounding.
  const detail = measure(n.detail, 'detail') + measure(kindText(n).toUpperCase(), 'kind') + 12;
  const badges = n.badges.slice(0, MAX_BADGES).reduce((w, x) => w + measure(x.text, 'badge') + 18, 0);
  const width = Math.min(MAX_WIDTH, Math.ceil(Math.max(b.width, title + PAD_X, detail + PAD_X, badges + PAD_X)));
  return { width, height: b.height + (n.badges.length > 0 ? BADGE_ROW : 0) };
}
