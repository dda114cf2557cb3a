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
  readonly share: string | null;
  readonly dim: boolean;
}

export interface SceneEdge {
  readonly path: string;
  readonly label: string;
  readonly labelX: number;
  readonly labelY: number;
  readonly lit: boolean;
  readonly dim: boolean;
  readonly dashed: boolean;
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

export interface Scene {
  readonly width: number;
  readonly height: number;
  readonly viewport: { readonly x: number; readonly y: number; readonly zoom: number };
  readonly nodes: readonly SceneNode[];
  readonly edges: readonly SceneEdge[];
  readonly palette: Palette;
  readonly title: string;
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
  const stroke = n.share ? p.lit : p.nodeStroke;
  const parts = [
    `<g${opacity}>`,
    `<rect x="${n2(n.x)}" y="${n2(n.y)}" width="${n2(n.width)}" height="${n2(n.height)}" rx="8" fill="${p.nodeFill}" stroke="${stroke}" stroke-width="${n.share ? 2.5 : 1}"/>`,
    `<rect x="${n2(n.x)}" y="${n2(n.y)}" width="5" height="${n2(n.height)}" rx="2" fill="${accent}"/>`,
    `<text x="${n2(n.x + 14)}" y="${n2(n.y + 16)}" font-size="9.5" fill="${p.muted}" letter-spacing="0.5">${escapeXml(n.caption.toUpperCase())}</text>`,
    `<text x="${n2(n.x + 14)}" y="${n2(n.y + 32)}" font-size="12.5" font-weight="600" font-family="ui-monospace, Menlo, Consolas, monospace" fill="${p.text}">${escapeXml(n.label)}</text>`,
    `<text x="${n2(n.x + 14)}" y="${n2(n.y + 47)}" font-size="10.5" fill="${p.muted}">${escapeXml(n.detail)}</text>`,
  ];
  if (n.share) parts.push(`<text x="${n2(n.x + n.width - 10)}" y="${n2(n.y + 16)}" font-size="11" font-weight="700" text-anchor="end" fill="${p.lit}">${escapeXml(n.share)}</text>`);
  parts.push('</g>');
  return parts.join('');
}

function edgeSvg(e: SceneEdge, p: Palette): string {
  const color = e.lit ? p.lit : p.edge;
  const dash = e.dashed ? ' stroke-dasharray="6 4"' : '';
  const opacity = e.dim ? ' opacity="0.3"' : '';
  const label = e.label
    ? `<text x="${n2(e.labelX)}" y="${n2(e.labelY + 4)}" font-size="10.5" text-anchor="middle" fill="${e.lit ? p.lit : p.muted}" stroke="${p.background}" stroke-width="4" paint-order="stroke">${escapeXml(e.label)}</text>`
    : '';
  return `<g${opacity}><path d="${escapeXml(e.path)}" fill="none" stroke="${color}" stroke-width="${n2(e.width)}"${dash} marker-end="url(#${e.lit ? 'arrow-lit' : 'arrow'})"/>${label}</g>`;
}

/** The scene as an SVG document, the viewport's pan and zoom applied. */
export function sceneToSvg(s: Scene): string {
  const p = s.palette;
  const marker = (id: string, color: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${color}"/></marker>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${s.width}" height="${s.height}" viewBox="0 0 ${s.width} ${s.height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<title>${escapeXml(s.title)}</title>`,
    `<defs>${marker('arrow', p.edge)}${marker('arrow-lit', p.lit)}</defs>`,
    `<rect width="100%" height="100%" fill="${p.background}"/>`,
    `<g transform="translate(${n2(s.viewport.x)} ${n2(s.viewport.y)}) scale(${s.viewport.zoom})">`,
    ...s.nodes.filter((n) => n.kind === 'group').map((n) => nodeSvg(n, p)),
    ...s.edges.map((e) => edgeSvg(e, p)),
    ...s.nodes.filter((n) => n.kind !== 'group').map((n) => nodeSvg(n, p)),
    '</g>',
    '</svg>',
  ].join('\n');
}
