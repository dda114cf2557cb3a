import { describe, expect, it } from 'vitest';
import { sceneToSvg, type Scene } from './svg-scene';

const palette = { background: '#fff', text: '#111', muted: '#666', nodeFill: '#fff', nodeStroke: '#ccc', groupFill: '#f5f5f5', edge: '#999', lit: '#e65', accent: { chain: '#36c' } };

describe('sceneToSvg', () => {
  const scene: Scene = {
    width: 800,
    height: 600,
    viewport: { x: 10, y: 20, zoom: 0.5 },
    title: 'ns4/svc4 <trace>',
    palette,
    nodes: [{ x: 0, y: 0, width: 200, height: 60, kind: 'chain', label: 'KUBE-SVC-4SW47YFZTEDKD3PK', detail: 'nat · ns4/svc4:p80', caption: 'svc', share: '50%', dim: false }],
    edges: [{ path: 'M0,0 C10,10 20,20 30,30', label: '50%', labelX: 15, labelY: 15, lit: true, dim: false, dashed: false, width: 4 }],
  };

  it('draws nodes, edges and labels with the viewport applied, escaping text', () => {
    const svg = sceneToSvg(scene);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="600"/);
    expect(svg).toContain('translate(10 20) scale(0.5)');
    expect(svg).toContain('KUBE-SVC-4SW47YFZTEDKD3PK');
    expect(svg).toContain('<title>ns4/svc4 &lt;trace&gt;</title>');
    expect(svg).toContain('marker-end="url(#arrow-lit)"');
    expect(svg).not.toContain('foreignObject');
  });
});
