import { measureText } from '../layout/measure-text';

/**
 * A plain SVG of the graph as it is on screen, built by hand (no foreignObject), so it can be
 * saved as .svg and drawn onto a canvas for PNG without tainting it.
 */
export interface SceneNode {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly kind: string;
  readonly label: string;
  readonly detail: string;
  readonly caption: string;
  /** The traced share, on outcome nodes only (printed once per outcome). */
  readonly share: string | null;
  readonly lit: boolean;
  readonly dim: boolean;
  /** Badge texts drawn under the detail line (`marks for masquerade`, `2 endpoints`). */
  readonly badges?: readonly string[];
}

export interface SceneEdge {
  readonly path: string;
  readonly label: string;
  readonly labelX: number;
  readonly labelY: number;
  readonly lit: boolean;
  readonly dim: boolean;
  readonly dashed: boolean;
  /** A returning client's (ClientIP affinity) edge: drawn dashed, label in italics. */
  readonly affinity?: boolean;
  readonly width: number;
}

export interface Palette {
  readonly background: string;
  readonly text: string;
  readonly muted: string;
  readonly nodeFill: string;
  readonly nodeStroke: string;
  readonly groupFill: string;
  readonly edge: string;
  readonly lit: string;
  readonly accent: Readonly<Record<string, string>>;
}

/** What a picture says around the graph, for a reader who has no svcpath at hand. */
export interface Poster {
  /** `shop/frontend` or `all Services`. */
  readonly title: string;
  /** Cluster/context, node, snapshot time: one short line each. */
  readonly facts: readonly string[];
  /** The traced packet and each outcome with its share. */
  readonly trace: { readonly packet: string; readonly outcomes: readonly { readonly share: string; readonly text: string }[] } | null;
  readonly version: string;
}

export interface Scene {
  /** The drawn content's box in graph coordinates: the picture is cropped to it (plus a margin). */
  readonly bounds: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly nodes: readonly SceneNode[];
  readonly edges: readonly SceneEdge[];
  readonly palette: Palette;
  readonly title: string;
  readonly poster?: Poster;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const n2 = (v: number) => Math.round(v * 100) / 100;

function nodeSvg(n: SceneNode, p: Palette): string {
  const opacity = n.dim ? ' opacity="0.35"' : '';
  if (n.kind === 'group')
    return `<g><rect x="${n2(n.x)}" y="${n2(n.y)}" width="${n2(n.width)}" height="${n2(n.height)}" rx="10" fill="${p.groupFill}" stroke="${p.nodeStroke}" stroke-dasharray="4 3"/><text x="${n2(n.x + 12)}" y="${n2(n.y + 20)}" font-size="12" font-weight="600" fill="${p.muted}">${escapeXml(n.label)}</text></g>`;
  const accent = p.accent[n.kind] ?? p.nodeStroke;
  const stroke = n.lit ? p.lit : p.nodeStroke;
  const parts = [
    `<g${opacity}>`,
    `<rect x="${n2(n.x)}" y="${n2(n.y)}" width="${n2(n.width)}" height="${n2(n.height)}" rx="8" fill="${p.nodeFill}" stroke="${stroke}" stroke-width="${n.lit ? 2.5 : 1}"/>`,
    `<rect x="${n2(n.x)}" y="${n2(n.y)}" width="5" height="${n2(n.height)}" rx="2" fill="${accent}"/>`,
    `<text x="${n2(n.x + 16)}" y="${n2(n.y + 40)}" font-size="12" fill="${p.muted}"><tspan font-size="10.5" font-weight="700">${escapeXml(n.caption.toUpperCase())}</tspan> ${escapeXml(n.detail)}</text>`,
    `<text x="${n2(n.x + 16)}" y="${n2(n.y + 22)}" font-size="13" font-weight="600" font-family="ui-monospace, Menlo, Consolas, monospace" fill="${p.text}">${escapeXml(n.label)}</text>`,
  ];
  let bx = n.x + 16;
  for (const b of n.badges ?? []) {
    const w = measureText(b, 'badge') + 14;
    parts.push(`<rect x="${n2(bx)}" y="${n2(n.y + 50)}" width="${n2(w)}" height="17" rx="8.5" fill="none" stroke="${p.nodeStroke}"/><text x="${n2(bx + w / 2)}" y="${n2(n.y + 62)}" font-size="11" font-weight="600" text-anchor="middle" fill="${p.muted}">${escapeXml(b)}</text>`);
    bx += w + 4;
  }
  if (n.share) {
    // Top right inside the box, unless the title reaches there: then just above the box's top right
    // corner (edges arrive at the middle of the top, so the corner is clear).
    const clear = n.x + 16 + measureText(n.label, 'title') + 8 + measureText(n.share, 'edgeLabel') <= n.x + n.width - 10;
    parts.push(`<text x="${n2(n.x + n.width - (clear ? 10 : 2))}" y="${n2(clear ? n.y + 16 : n.y - 5)}" font-size="12.5" font-weight="700" text-anchor="end" fill="${p.lit}">${escapeXml(n.share)}</text>`);
  }
  parts.push('</g>');
  return parts.join('');
}

function edgeSvg(e: SceneEdge, p: Palette): string {
  const color = e.lit ? p.lit : e.affinity ? (p.accent['service'] ?? p.edge) : p.edge;
  const dash = e.dashed ? ' stroke-dasharray="6 4"' : e.affinity ? ' stroke-dasharray="5 3"' : '';
  const opacity = e.dim ? ' opacity="0.3"' : '';
  const label = e.label
    ? `<text x="${n2(e.labelX)}" y="${n2(e.labelY + 4.5)}" font-size="12.5" font-weight="600"${e.affinity ? ' font-style="italic"' : ''} text-anchor="middle" fill="${e.lit ? p.lit : e.affinity ? (p.accent['service'] ?? p.muted) : p.muted}" stroke="${p.background}" stroke-width="5" paint-order="stroke">${escapeXml(e.label)}</text>`
    : '';
  return `<g${opacity}><path d="${escapeXml(e.path)}" fill="none" stroke="${color}" stroke-width="${n2(e.width)}"${dash} marker-end="url(#${e.lit ? 'arrow-lit' : 'arrow'})"/>${label}</g>`;
}

const MARGIN = 28;
const LINE = 18;

/** Colour keys of the legend, in the order the app's legend shows them. */
const LEGEND: readonly { readonly text: string; readonly color: (p: Palette) => string; readonly dashed?: boolean }[] = [
  { text: 'hook', color: (p) => p.accent['hook'] ?? p.edge },
  { text: 'chain', color: (p) => p.accent['chain'] ?? p.edge },
  { text: 'Service', color: (p) => p.accent['service'] ?? p.edge },
  { text: 'endpoint', color: (p) => p.accent['endpoint'] ?? p.edge },
  { text: 'verdict', color: (p) => p.accent['verdict'] ?? p.edge },
  { text: 'traced', color: (p) => p.lit },
  { text: 'returning client (affinity)', color: (p) => p.accent['service'] ?? p.edge, dashed: true },
  { text: 'masquerade mark', color: (p) => p.edge, dashed: true },
];

/** Header lines (title, facts, traced packet, outcomes) as SVG text, and their height. */
function headerSvg(poster: Poster, p: Palette): { svg: string; height: number } {
  const out: string[] = [];
  let y = MARGIN + 20;
  out.push(`<text x="${MARGIN}" y="${y}" font-size="20" font-weight="700" fill="${p.text}">${escapeXml(poster.title)}</text>`);
  y += 8;
  for (const f of poster.facts) {
    y += LINE;
    out.push(`<text x="${MARGIN}" y="${y}" font-size="13" fill="${p.muted}">${escapeXml(f)}</text>`);
  }
  if (poster.trace) {
    y += LINE + 8;
    out.push(`<text x="${MARGIN}" y="${y}" font-size="14" font-weight="600" fill="${p.text}">Traced: ${escapeXml(poster.trace.packet)}</text>`);
    for (const o of poster.trace.outcomes) {
      y += LINE;
      out.push(`<text x="${MARGIN + 12}" y="${y}" font-size="13" fill="${p.text}"><tspan font-weight="700" fill="${p.lit}">${escapeXml(o.share)}</tspan>  ${escapeXml(o.text)}</text>`);
    }
  }
  return { svg: out.join('\n'), height: y + 18 };
}

/** The legend and the version line under the graph. */
function footerSvg(poster: Poster | undefined, p: Palette, top: number): { svg: string; height: number } {
  const out: string[] = [];
  let x = MARGIN;
  const y = top + 18;
  for (const l of LEGEND) {
    const c = l.color(p);
    out.push(
      l.dashed
        ? `<line x1="${x}" y1="${y - 4}" x2="${x + 18}" y2="${y - 4}" stroke="${c}" stroke-width="2" stroke-dasharray="4 3"/>`
        : `<rect x="${x}" y="${y - 10}" width="11" height="11" rx="2" fill="${c}"/>`,
    );
    const tx = x + (l.dashed ? 24 : 16);
    out.push(`<text x="${tx}" y="${y}" font-size="12" fill="${p.muted}">${escapeXml(l.text)}</text>`);
    x = tx + measureText(l.text, 'detail') + 16;
  }
  if (poster) out.push(`<text x="${MARGIN}" y="${y + LINE + 4}" font-size="11.5" fill="${p.muted}">Drawn by svcpath ${escapeXml(poster.version)} from the node's rule dumps; rule lines cite the dump files.</text>`);
  return { svg: out.join('\n'), height: (poster ? LINE * 2 + 8 : LINE + 8) + MARGIN };
}

/** Width of the picture: the graph plus margins, never narrower than its header and legend need. */
const MIN_WIDTH = 760;

/**
 * The scene as a standalone SVG document, cropped to the drawn content with a margin: a header
 * (Service, cluster/context, node, snapshot time, the traced packet and its outcomes), the graph,
 * the legend and the svcpath version. Returns the document and its size in CSS pixels.
 */
export function sceneToSvg(s: Scene): { svg: string; width: number; height: number } {
  const p = s.palette;
  const marker = (id: string, color: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="11" markerHeight="11" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${color}"/></marker>`;
  const head = s.poster ? headerSvg(s.poster, p) : { svg: '', height: MARGIN };
  const width = Math.ceil(Math.max(MIN_WIDTH, s.bounds.width + 2 * MARGIN));
  const graphTop = head.height;
  const foot = footerSvg(s.poster, p, graphTop + s.bounds.height + 16);
  const height = Math.ceil(graphTop + s.bounds.height + 16 + foot.height);
  const dx = n2(MARGIN - s.bounds.x + Math.max(0, (width - 2 * MARGIN - s.bounds.width) / 2));
  const dy = n2(graphTop - s.bounds.y);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<title>${escapeXml(s.title)}</title>`,
    `<defs>${marker('arrow', p.edge)}${marker('arrow-lit', p.lit)}</defs>`,
    `<rect width="100%" height="100%" fill="${p.background}"/>`,
    head.svg,
    `<g transform="translate(${dx} ${dy})">`,
    ...s.nodes.filter((n) => n.kind === 'group').map((n) => nodeSvg(n, p)),
    ...s.edges.map((e) => edgeSvg(e, p)),
    ...s.nodes.filter((n) => n.kind !== 'group').map((n) => nodeSvg(n, p)),
    '</g>',
    foot.svg,
    '</svg>',
  ].join('\n');
  return { svg, width, height };
}
