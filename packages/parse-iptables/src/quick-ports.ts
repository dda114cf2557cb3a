import type { Match, PortRange } from './ast';
import { readPortList, readPortRange } from './values';

/** A `--dport`/`--sport`/multiport condition. */
export type PortsMatch = Extract<Match, { kind: 'ports' }>;

/** Port options by name: the direction they match and whether they take a list (multiport). */
const PORT_OPTIONS: Readonly<Record<string, { dir: PortsMatch['dir']; list: boolean }>> = {
  '--dport': { dir: 'dst', list: false },
  '--destination-port': { dir: 'dst', list: false },
  '--sport': { dir: 'src', list: false },
  '--source-port': { dir: 'src', list: false },
  '--dports': { dir: 'dst', list: true },
  '--sports': { dir: 'src', list: true },
  '--ports': { dir: 'any', list: true },
};

/**
 * A rule body's port conditions (`src[from, to)`): those of `template` (the same shape's rule read
 * in full: protocol, direction, negation) with the ranges this body's own port words say. One port
 * option per direction in the template, each found outside quotes; undefined otherwise, or when a
 * value does not read (only the full reading can tell then). Trusted by LazyRule only for a shape
 * whose rule read in full gave the same answer.
 */
export function quickPorts(src: string, from: number, to: number, template: readonly PortsMatch[]): PortsMatch[] | undefined {
  const out: PortsMatch[] = [];
  let i = from;
  while (i < to) {
    if (src.charCodeAt(i) === 32) {
      i++;
      continue;
    }
    if (src.charCodeAt(i) === 34) {
      i = src.indexOf('"', i + 1);
      if (i < 0 || i >= to) return undefined;
      i++;
      continue;
    }
    const start = i;
    while (i < to && src.charCodeAt(i) !== 32) i++;
    if (src.charCodeAt(start) !== 45 || src.charCodeAt(start + 1) !== 45 || i - start < 7) continue;
    const option = PORT_OPTIONS[src.slice(start, i)];
    if (option === undefined) continue;
    while (i < to && src.charCodeAt(i) === 32) i++;
    const valueAt = i;
    while (i < to && src.charCodeAt(i) !== 32) i++;
    const text = src.slice(valueAt, i);
    const ranges: PortRange[] | null = option.list ? readPortList(text) : wrap(readPortRange(text));
    const like = template.filter((m) => m.dir === option.dir);
    if (ranges === null || like.length !== 1) return undefined;
    out.push({ ...like[0]!, ranges });
  }
  return out.length === template.length ? out : undefined;
}

const wrap = (r: PortRange | null): PortRange[] | null => (r ? [r] : null);
