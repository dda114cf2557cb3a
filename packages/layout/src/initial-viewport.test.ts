import { describe, expect, it } from 'vitest';
import { absoluteBoxes, boundsOf, initialViewport } from './initial-viewport';

const opts = { width: 1000, height: 700, margin: 20, readableZoom: 0.95, maxZoom: 1.2 };

describe('initialViewport', () => {
  it('fits everything when everything is readable, centred', () => {
    const all = { x: 0, y: 0, width: 800, height: 400 };
    const v = initialViewport(all, all, opts);
    expect(v.fitted).toBe('all');
    expect(v.zoom).toBe(1.2);
    expect(v.x).toBeCloseTo((1000 - 960) / 2);
  });

  it('fits the main path, never below the readable zoom, when the whole graph would be too small', () => {
    const all = { x: 0, y: 0, width: 3000, height: 1500 };
    const main = { x: 100, y: 0, width: 900, height: 1200 };
    const v = initialViewport(all, main, opts);
    expect(v.fitted).toBe('main');
    expect(v.zoom).toBe(0.95);
    // Too tall at 0.95: starts at the top margin; narrow enough: centred across.
    expect(v.y).toBe(20);
    expect(v.x).toBeCloseTo((1000 - 900 * 0.95) / 2 - 100 * 0.95);
  });
});

describe('absoluteBoxes / boundsOf', () => {
  it('adds group offsets to children and bounds them', () => {
    const layout = { nodes: { g: { x: 100, y: 50, width: 300, height: 200 }, c: { x: 10, y: 20, width: 50, height: 30 } }, edges: {} };
    const abs = absoluteBoxes(layout, (id) => (id === 'c' ? 'g' : undefined));
    expect(abs.get('c')).toEqual({ x: 110, y: 70, width: 50, height: 30 });
    expect(boundsOf([abs.get('c')!])).toEqual({ x: 110, y: 70, width: 50, height: 30 });
    expect(boundsOf([])).toBeNull();
  });
});
