import { describe, expect, it } from 'vitest';
import { sceneToSvg, type Scene } from './svg-scene';

const palette = { background: '#fff', text: '#111', muted: '#666', nodeFill: '#fff', nodeStroke: '#ccc', groupFill: '#f5f5f5', edge: '#999', lit: '#e65', accent: { chain: '#36c' } };

describe('sceneToSvg', () => {
  const scene: Scene = {
    bounds: { x: -10, y: -10, width: 300, height: 100 },
    title: 'ns4/svc4 <trace>',
    palette,
    nodes: [{ x: 0, y: 0, width: 200, height: 60, kind: 'chain', label: 'KUBE-SVC-4SW47YFZTEDKD3PK', detail: 'nat · ns4/svc4:p80', caption: 'svc', share: '50%', lit: true, dim: false }],
    edges: [{ path: 'M0,0 C10,10 20,20 30,30', label: '50%', labelX: 15, labelY: 15, lit: true, dim: false, dashed: false, width: 4 }],
  };

  it('draws nodes, edges and labels cropped to the content with a margin, escaping text', () => {
    const { svg, width, height } = sceneToSvg(scene);
    // Narrow content: the minimum width, graph centred; height = margin + graph + legend.
    expect(width).toBe(760);
    expect(height).toBeLessThan(260);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="760"/);
    expect(svg).toContain('KUBE-SVC-4SW47YFZTEDKD3PK');
    expect(svg).toContain('<title>ns4/svc4 &lt;trace&gt;</title>');
    expect(svg).toContain('marker-end="url(#arrow-lit)"');
    expect(svg).not.toContain('foreignObject');
    expect(svg).toContain('returning client (affinity)');
  });

  it('carries a header with the Service, node, snapshot time, traced packet and outcomes, and the version', () => {
    const poster = { title: 'shop/frontend', facts: ['collection demo', 'node worker-1 · snapshot taken 2025-01-01'], trace: { packet: 'tcp 10.0.0.1 → 172.30.0.44:80', outcomes: [{ share: '50%', text: 'to 10.180.0.4:80' }] }, version: '0.1.0' };
    const { svg, height } = sceneToSvg({ ...scene, poster });
    expect(svg).toContain('>shop/frontend</text>');
    expect(svg).toContain('node worker-1 · snapshot taken 2025-01-01');
    expect(svg).toContain('Traced: tcp 10.0.0.1 → 172.30.0.44:80');
    expect(svg).toContain('>50%</tspan>  to 10.180.0.4:80');
    expect(svg).toContain('svcpath 0.1.0');
    expect(height).toBeGreaterThan(sceneToSvg(scene).height);
  });
});
