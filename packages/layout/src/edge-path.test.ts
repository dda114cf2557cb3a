import { describe, expect, it } from 'vitest';
import { labelPoint, roundedPath } from './edge-path';

describe('edge paths', () => {
  it('rounds the corners of an orthogonal route', () => {
    expect(roundedPath([{ x: 0, y: 0 }, { x: 50, y: 0 }, { x: 50, y: 40 }, { x: 100, y: 40 }], 10)).toBe('M 0 0 L 40 0 Q 50 0 50 10 L 50 30 Q 50 40 60 40 L 100 40');
    expect(roundedPath([{ x: 0, y: 0 }, { x: 10, y: 0 }])).toBe('M 0 0 L 10 0');
  });

  it('labels the longest horizontal run', () => {
    expect(labelPoint([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 40 }, { x: 90, y: 40 }])).toEqual({ x: 50, y: 40 });
  });
});
