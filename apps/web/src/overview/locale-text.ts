/**
 * Counts and names as the overview shows them, through one Intl formatter and one collator made on
 * first use. `n.toLocaleString('en')` and `a.localeCompare(b)` build a new ICU object on every call:
 * a 100-namespace overview's 400 counts and its sort took ~60 ms of the first paint (cold, load ~5).
 */
let numbers: Intl.NumberFormat | undefined;
let compact: Intl.NumberFormat | undefined;
let names: Intl.Collator | undefined;

/** `12,345`: the same text as `n.toLocaleString('en')`. */
export function formatCount(n: number): string {
  numbers ??= new Intl.NumberFormat('en');
  return numbers.format(n);
}

/**
 * A count in at most four characters (`5`, `999`, `1.4K`, `12K`): where a count sits in a row of
 * labels that must fit a column (the side tabs), so a big snapshot's 1,402 findings do not push the
 * last tab out of view. Show the exact count beside it (formatCount) for whoever asks.
 */
export function formatCompactCount(n: number): string {
  if (n < 1000) return String(n);
  compact ??= new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
  return compact.format(n);
}

/**
 * Names in the page's locale with their numbers read as numbers (`ns-2` before `ns-10`, `worker-9`
 * before `worker-10`): `a.localeCompare(b, undefined, { numeric: true })`.
 */
export function compareNames(a: string, b: string): number {
  names ??= new Intl.Collator(undefined, { numeric: true });
  return names.compare(a, b);
}
