/**
 * Text widths for the layout, which must know label and title sizes before anything is drawn. A
 * browser measures with a canvas in the exact font the CSS uses (apps/web's measure-text.ts);
 * elsewhere (the server, unit tests) a generous per-character estimate stands in, so boxes err on
 * the wide side.
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

// Advance widths (px) of the printable ASCII characters, space to tilde, in each font as Debian's
// Chromium draws it (DejaVu Sans and DejaVu Sans Mono, measured with a canvas). Other browsers'
// fonts are mostly narrower; where one is wider, the browser sees its text does not fit a layout
// made with this estimate (layoutHolds) and lays the graph out again with its own measures.
const ADVANCE: Readonly<Record<TextFont, readonly number[]>> = {
  title: [7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83, 7.83],
  serviceTitle: [4.87, 6.38, 7.29, 11.73, 9.74, 14.03, 12.21, 4.29, 6.4, 6.4, 7.32, 11.73, 5.32, 5.81, 5.32, 5.11, 9.74, 9.74, 9.74, 9.74, 9.74, 9.74, 9.74, 9.74, 9.74, 9.74, 5.6, 5.6, 11.73, 11.73, 11.73, 8.12, 14, 10.83, 10.67, 10.27, 11.62, 9.56, 9.56, 11.49, 11.72, 5.21, 5.21, 10.85, 8.92, 13.93, 11.72, 11.9, 10.26, 11.9, 10.78, 10.08, 9.55, 11.37, 10.83, 15.44, 10.79, 10.14, 10.15, 6.4, 5.11, 6.4, 11.73, 7, 7, 9.45, 10.02, 8.3, 10.02, 9.5, 6.09, 10.02, 9.97, 4.8, 4.8, 9.31, 4.8, 14.59, 9.97, 9.62, 10.02, 10.02, 6.9, 8.33, 6.69, 9.97, 9.13, 12.93, 9.03, 9.13, 8.15, 9.97, 5.11, 9.97, 11.73],
  detail: [3.81, 4.81, 5.52, 10.05, 7.63, 11.4, 9.36, 3.3, 4.68, 4.68, 6, 10.05, 3.81, 4.33, 3.81, 4.04, 7.63, 7.63, 7.63, 7.63, 7.63, 7.63, 7.63, 7.63, 7.63, 7.63, 4.04, 4.04, 10.05, 10.05, 10.05, 6.37, 12, 8.21, 8.23, 8.38, 9.24, 7.58, 6.9, 9.3, 9.02, 3.54, 3.54, 7.87, 6.69, 10.35, 8.98, 9.45, 7.24, 9.45, 8.34, 7.62, 7.33, 8.78, 8.21, 11.87, 8.22, 7.33, 8.22, 4.68, 4.04, 4.68, 10.05, 6, 6, 7.35, 7.62, 6.6, 7.62, 7.38, 4.22, 7.62, 7.61, 3.33, 3.33, 6.95, 3.33, 11.69, 7.61, 7.34, 7.62, 7.62, 4.93, 6.25, 4.71, 7.61, 7.1, 9.81, 7.1, 7.1, 6.3, 7.63, 4.04, 7.63, 10.05],
  badge: [3.83, 5.02, 5.73, 9.22, 7.65, 11.02, 9.59, 3.37, 5.03, 5.03, 5.75, 9.22, 4.18, 4.57, 4.18, 4.02, 7.65, 7.65, 7.65, 7.65, 7.65, 7.65, 7.65, 7.65, 7.65, 7.65, 4.4, 4.4, 9.22, 9.22, 9.22, 6.38, 11, 8.51, 8.38, 8.07, 9.13, 7.51, 7.51, 9.03, 9.21, 4.09, 4.09, 8.52, 7.01, 10.95, 9.21, 9.35, 8.06, 9.35, 8.47, 7.92, 7.5, 8.93, 8.51, 12.13, 8.48, 7.97, 7.98, 5.03, 4.02, 5.03, 9.22, 5.5, 5.5, 7.42, 7.87, 6.52, 7.87, 7.46, 4.79, 7.87, 7.83, 3.77, 3.77, 7.32, 3.77, 11.46, 7.83, 7.56, 7.87, 7.87, 5.42, 6.55, 5.26, 7.83, 7.17, 10.16, 7.1, 7.17, 6.4, 7.83, 4.02, 7.83, 9.22],
  kind: [3.66, 4.79, 5.47, 8.8, 7.31, 10.52, 9.16, 3.21, 4.8, 4.8, 5.49, 8.8, 3.99, 4.36, 3.99, 3.83, 7.31, 7.31, 7.31, 7.31, 7.31, 7.31, 7.31, 7.31, 7.31, 7.31, 4.2, 4.2, 8.8, 8.8, 8.8, 6.09, 10.5, 8.13, 8, 7.71, 8.72, 7.17, 7.17, 8.62, 8.79, 3.91, 3.91, 8.14, 6.69, 10.45, 8.79, 8.93, 7.7, 8.93, 8.09, 7.56, 7.16, 8.53, 8.13, 11.58, 8.1, 7.6, 7.61, 4.8, 3.83, 4.8, 8.8, 5.25, 5.25, 7.09, 7.52, 6.22, 7.52, 7.12, 4.57, 7.52, 7.48, 3.6, 3.6, 6.98, 3.6, 10.94, 7.48, 7.21, 7.52, 7.52, 5.18, 6.25, 5.02, 7.48, 6.84, 9.7, 6.77, 6.84, 6.11, 7.48, 3.83, 7.48, 8.8],
  edgeLabel: [4.35, 5.7, 6.51, 10.47, 8.7, 12.52, 10.9, 3.83, 5.71, 5.71, 6.54, 10.47, 4.75, 5.19, 4.75, 4.57, 8.7, 8.7, 8.7, 8.7, 8.7, 8.7, 8.7, 8.7, 8.7, 8.7, 5, 5, 10.47, 10.47, 10.47, 7.25, 12.5, 9.67, 9.53, 9.17, 10.38, 8.54, 8.54, 10.26, 10.46, 4.65, 4.65, 9.69, 7.97, 12.44, 10.46, 10.63, 9.16, 10.63, 9.63, 9, 8.53, 10.15, 9.67, 13.79, 9.64, 9.05, 9.06, 5.71, 4.57, 5.71, 10.47, 6.25, 6.25, 8.44, 8.95, 7.41, 8.95, 8.48, 5.44, 8.95, 8.9, 4.28, 4.28, 8.31, 4.28, 13.02, 8.9, 8.59, 8.95, 8.95, 6.16, 7.44, 5.98, 8.9, 8.15, 11.55, 8.06, 8.15, 7.28, 8.9, 4.57, 8.9, 10.47],
};
/** Room for rounding and kerning: estimates are this much wider than the sum of advances. */
const SLACK = 1.04;

/** Per-character estimate from the advance widths above: used where no canvas measures the real fonts. */
export const estimateText: MeasureText = (text, font) => {
  const advance = ADVANCE[font];
  const widest = Math.max(...advance);
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    w += c >= 32 && c < 127 ? advance[c - 32]! : widest;
  }
  return Math.ceil(w * SLACK);
};

