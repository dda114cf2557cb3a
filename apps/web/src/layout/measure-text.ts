/**
 * Text widths for the layout, which must know label and title sizes before anything is drawn.
 * In a browser a canvas measures with the exact font the CSS uses; without one (unit tests) a
 * generous per-character estimate stands in, so boxes err on the wide side.
 */
export type MeasureText = (text: string, font: TextFont) => number;

/** The fonts the graph draws with; keep in step with styles.css (.svc-node-label, .svc-edge-label…). */
export const FONTS = {
  title: '600 13px ui-monospace, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace',
  serviceTitle: '600 14px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  detail: '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  badge: '600 11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  kind: '700 10.5px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  edgeLabel: '600 12.5px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
} as const;
export type TextFont = keyof typeof FONTS;

const EM: Readonly<Record<TextFont, number>> = { title: 8.2, serviceTitle: 8.6, detail: 7, badge: 7, kind: 7.5, edgeLabel: 7.6 };

/** Per-character estimate: used where no canvas exists. */
export const estimateText: MeasureText = (text, font) => text.length * EM[font];

let ctx: CanvasRenderingContext2D | null | undefined;
const cache = new Map<string, number>();

/** Canvas measurement (cached per font and text), else the estimate. */
export const measureText: MeasureText = (text, font) => {
  if (ctx === undefined) ctx = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  if (!ctx) return estimateText(text, font);
  const key = `${font}|${text}`;
  let w = cache.get(key);
  if (w === undefined) {
    ctx.font = FONTS[font];
    w = Math.ceil(ctx.measureText(text).width);
    if (cache.size > 20_000) cache.clear();
    cache.set(key, w);
  }
  return w;
};
