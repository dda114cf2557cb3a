import { formatIPv4, parseIP } from '@svcpath/netaddr';
import { sha256 } from '@svcpath/kube-proxy-sim';

/**
 * Where public addresses go when redacted: the ranges RFC 5737 and RFC 3849 set aside for
 * documentation, so a redacted picture can never point at somebody's real server.
 */
export const DOCUMENTATION_V4: readonly string[] = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'];
export const DOCUMENTATION_V6 = '2001:db8::/32';

/** A public IPv4 prefix met in the snapshot: its first `len` bits. An address is a /32. */
export interface PublicPrefix {
  readonly bits: string;
  readonly len: number;
}

/** Original `a.b.c.d/len` → redacted `w.x.y.z/len'` (len' may be longer: the documentation ranges are small). */
export type PublicPlan = Readonly<Record<string, string>>;

interface Node {
  readonly bits: string;
  readonly len: number;
  readonly order: string;
  readonly children: Node[];
  need: number;
}

const utf8 = new TextEncoder();
const orderOf = (seed: string, bits: string): string => Array.from(sha256(utf8.encode(`${seed}\u0000plan\u0000${bits}`)).slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
const textOf = (bits: string, len: number): string => `${formatIPv4(Number.parseInt(bits.slice(0, len).padEnd(32, '0'), 2))}/${len}`;

/** Prefixes ordered so that every prefix comes after the prefixes that contain it. */
function forest(seed: string, prefixes: readonly PublicPrefix[]): Node[] {
  const unique = new Map<string, PublicPrefix>();
  for (const p of prefixes) unique.set(`${p.bits.slice(0, p.len)}/${p.len}`, { bits: p.bits.slice(0, p.len), len: p.len });
  const sorted = [...unique.values()].sort((a, b) => (a.bits < b.bits ? -1 : a.bits > b.bits ? 1 : a.len - b.len));
  const roots: Node[] = [];
  const stack: Node[] = [];
  for (const p of sorted) {
    const node: Node = { bits: p.bits, len: p.len, order: orderOf(seed, p.bits), children: [], need: 0 };
    while (stack.length > 0 && !p.bits.startsWith(stack[stack.length - 1]!.bits)) stack.pop();
    const parent = stack[stack.length - 1];
    (parent ? parent.children : roots).push(node);
    stack.push(node);
  }
  return roots;
}

const bySize = (a: Node, b: Node): number => b.need - a.need || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0);

/**
 * Host bits each prefix takes in the documentation ranges: room for its contained prefixes packed
 * side by side (sizes are powers of two, so largest-first packing leaves no gaps) and, for a range,
 * up to `cap` bits of its own so it still reads as a range.
 */
function sizeUp(node: Node, cap: number): number {
  let units = 0;
  for (const c of node.children) units += 2 ** sizeUp(c, cap);
  const packed = units === 0 ? 0 : Math.ceil(Math.log2(units));
  node.need = Math.max(packed, Math.min(32 - node.len, cap));
  node.children.sort(bySize);
  return node.need;
}

function place(node: Node, base: string, out: Record<string, string>): void {
  out[textOf(node.bits, node.len)] = textOf(base, 32 - node.need);
  let offset = 0;
  for (const c of node.children) {
    const inner = offset.toString(2).padStart(node.need, '0').slice(0, node.need - c.need);
    place(c, base.slice(0, 32 - node.need) + inner, out);
    offset += 2 ** c.need;
  }
}

/**
 * Gives every public IPv4 prefix of a snapshot a place in the three documentation /24s, keyed by
 * the seed, so that distinct addresses stay distinct and an address inside a range stays inside
 * that range's pseudonym (prefix containment). A range wider than the space left is narrowed (its
 * prefix length grows) before anything is dropped; null when even single addresses do not fit
 * (more than 768 distinct public addresses), and the caller keeps its permutation instead.
 */
export function planPublicV4(seed: string, prefixes: readonly PublicPrefix[]): PublicPlan | null {
  const roots = forest(seed, prefixes);
  const bins = DOCUMENTATION_V4.map((c) => ({ bits: parseIP(c.split('/')[0]!)!.value.toString(2).padStart(32, '0').slice(0, 24), order: orderOf(seed, c), used: 0 })).sort((a, b) => (a.order < b.order ? -1 : 1));
  for (let cap = 6; cap >= 0; cap--) {
    for (const r of roots) sizeUp(r, cap);
    roots.sort(bySize);
    for (const b of bins) b.used = 0;
    const out: Record<string, string> = {};
    let fits = true;
    for (const r of roots) {
      const size = 2 ** r.need;
      const bin = r.need <= 8 ? bins.find((b) => b.used + size <= 256) : undefined;
      if (!bin) {
        fits = false;
        break;
      }
      place(r, bin.bits + bin.used.toString(2).padStart(8, '0'), out);
      bin.used += size;
    }
    if (fits) return out;
  }
  return null;
}
