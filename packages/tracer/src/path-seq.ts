import type { PathStep } from './types';

/**
 * A branch's path as a persistent sequence: appending a step or joining a chain summary's path to
 * its caller's is O(1) and shares memory, so summaries reused at every level of a deep or
 * diamond-shaped ruleset never copy paths. Read it out once, for the outcome, with `pathSteps`.
 */
export type PathSeq =
  | null
  | { readonly kind: 'step'; readonly len: number; readonly prev: PathSeq; readonly step: PathStep }
  | { readonly kind: 'cat'; readonly len: number; readonly a: PathSeq; readonly b: PathSeq };

export function pushStep(p: PathSeq, step: PathStep): PathSeq {
  return { kind: 'step', len: (p?.len ?? 0) + 1, prev: p, step };
}

export function joinPaths(a: PathSeq, b: PathSeq): PathSeq {
  if (!a) return b;
  if (!b) return a;
  return { kind: 'cat', len: a.len + b.len, a, b };
}

/**
 * The first `max` steps in order (iteratively: a path can be tens of thousands of steps long, and
 * a packet through nested diamonds really takes billions).
 */
export function pathSteps(p: PathSeq, max: number): PathStep[] {
  const out: PathStep[] = [];
  const todo: (PathSeq | PathStep)[] = [p];
  while (todo.length > 0 && out.length < max) {
    const x = todo.pop()!;
    if (x === null) continue;
    if ('kind' in x) {
      if (x.kind === 'step') todo.push(x.step, x.prev);
      else todo.push(x.b, x.a);
    } else out.push(x);
  }
  return out;
}
