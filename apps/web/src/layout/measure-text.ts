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
