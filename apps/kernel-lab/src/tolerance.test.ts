import { describe, expect, it } from 'vitest';
import { tolerance, withinTolerance } from './tolerance';

describe('withinTolerance', () => {
  it('accepts a fair coin at 150 tries within 4σ + slack', () => {
    expect(tolerance(150, 0.5)).toBeCloseTo(4 * Math.sqrt(0.25 / 150) + 0.01, 10);
    expect(withinTolerance(75, 150, 0.5)).toBe(true);
    expect(withinTolerance(50, 150, 0.5)).toBe(true); // 0.333: inside the 0.327–0.673 band
    expect(withinTolerance(48, 150, 0.5)).toBe(false);
  });

  it('catches --probability values read as shares (second of three endpoints, 200 tries)', () => {
    // The kernel sends 1/3 of new connections to each; a tracer reading "0.5" as a share predicts 0.5.
    expect(withinTolerance(67, 200, 1 / 3)).toBe(true);
    expect(withinTolerance(67, 200, 0.5)).toBe(false);
  });

  it('demands (almost) all or nothing for certain outcomes', () => {
    expect(withinTolerance(150, 150, 1)).toBe(true);
    expect(withinTolerance(147, 150, 1)).toBe(false);
    expect(withinTolerance(0, 150, 0)).toBe(true);
  });

  it('rejects impossible inputs', () => {
    expect(() => withinTolerance(5, 4, 0.5)).toThrow(RangeError);
    expect(() => tolerance(0, 0.5)).toThrow(RangeError);
    expect(() => tolerance(10, 1.5)).toThrow(RangeError);
  });
});
