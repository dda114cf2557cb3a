import { estimateText, FONTS, type MeasureText, type TextFont } from '@svcpath/layout';

export { estimateText, FONTS, type MeasureText, type TextFont };

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

let warmed = false;

/**
 * Measures a line in each of the graph's fonts once, so the first graph a page draws does not pay
 * for them: a fresh page's first measures in a font cost ~10 ms each while the browser loads and
 * resolves it (150 labels: 20-40 ms cold, 6-9 ms after this in headless Chromium here). Called
 * when the page is idle before a graph is drawn.
 */
export function warmMeasureText(): void {
  if (warmed) return;
  warmed = true;
  for (const font of Object.keys(FONTS) as TextFont[]) measureText('KUBE-SVC-WARM 10.0.0.1:80', font);
}
