/**
 * The probability ladder's numbers, in the two forms they appear in.
 *
 * kube-proxy writes 1/n with Go's `%0.10f` (exact decimal expansion of the float64, ties to even).
 * The kernel's xt_statistic stores `lround(2^31 * p)` as a u32, and iptables-save prints that back
 * as `%.11f` of `stored / 2^31` — so `0.3333333333` reads back as `0.33333333349`.
 */

const TWO_POW_31 = 0x80000000;

/** kube-proxy's probability text for the i-th of n remaining endpoints: 1/n with 10 decimals. */
export function kubeProxyProbability(n: number): string {
  // toFixed and Go agree except on exact ties, which only a power-of-two n with exactly 11
  // decimal digits (n = 2048: 0.00048828125) produces; Go rounds that tie to even.
  if (n === 2048) return '0.0004882812';
  return (1 / n).toFixed(10);
}

/** What iptables-save prints for a `--probability` given as `text` (kernel quantisation, 11 decimals). */
export function savedProbability(text: string): string {
  let saved = savedCache.get(text);
  if (saved === undefined) {
    saved = formatStored(BigInt(Math.round(TWO_POW_31 * Number(text))));
    savedCache.set(text, saved);
  }
  return saved;
}

// A ladder only ever uses 1/2 … 1/n, so a small cache removes the BigInt work from rendering.
const savedCache = new Map<string, string>();

/** Exact `%.11f` of stored / 2^31 with glibc's round-half-to-even. */
function formatStored(stored: bigint): string {
  const scaled = stored * 10n ** 11n;
  let q = scaled >> 31n;
  const rem = scaled & 0x7fffffffn;
  const half = 0x40000000n;
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  const digits = q.toString().padStart(12, '0');
  return `${digits.slice(0, -11)}.${digits.slice(-11)}`;
}
