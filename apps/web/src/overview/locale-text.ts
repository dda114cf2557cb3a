/**
 * Counts and names as the overview shows them. `n.toLocaleString('en')` and `a.localeCompare(b)`
 * build a new ICU object on every call (a 100-namespace overview's 400 counts and its sort took ~60
 * ms of the first paint, cold, load ~5), and even the first Intl object of a fresh page costs 25-60
 * ms (Chromium loads ICU's data then): so whole counts and plain names (a Kubernetes name's letters,
 * digits, `-` and `.`) are done by hand, and one formatter and one collator are made on first use
 * for anything else.
 */
let numbers: Intl.NumberFormat | undefined;
let compact: Intl.NumberFormat | undefined;
let names: Intl.Collator | undefined;

/** `12,345`: the same text as `n.toLocaleString('en')`. */
export function formatCount(n: number): string {
  if (Number.isSafeInteger(n)) {
    const digits = String(Math.abs(n));
    let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
    for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
    return n < 0 ? `-${out}` : out;
  }
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

/** Lower-case letters, digits, `-` and `.`, no number written with a leading zero. */
const PLAIN = /^(?:[a-z.-]|[1-9][0-9]*|0(?![0-9]))*$/;
/** Locales that order those characters as Unicode's root collation does (some do not: Danish reads `aa` as `å`). */
const ROOT_ORDER = /^en(?:-|$)/i;
let plainOrder: boolean | undefined;

/**
 * Names in the page's locale with their numbers read as numbers (`ns-2` before `ns-10`, `worker-9`
 * before `worker-10`): `a.localeCompare(b, undefined, { numeric: true })`.
 */
export function compareNames(a: string, b: string): number {
  plainOrder ??= typeof navigator !== 'undefined' && ROOT_ORDER.test(navigator.language);
  if (plainOrder && PLAIN.test(a) && PLAIN.test(b)) return comparePlainNames(a, b);
  names ??= new Intl.Collator(undefined, { numeric: true });
  return names.compare(a, b);
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Two plain names (see PLAIN) in the root collation's order with numbers read as numbers: `-` before
 * `.` before digits before letters, as their character codes go; a run of digits against another by
 * value (no leading zeros, so the longer run is the bigger number). -1, 0 or 1, as Intl.Collator.
 */
export function comparePlainNames(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      let ej = j;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      if (ei - i !== ej - j) return ei - i < ej - j ? -1 : 1;
      for (; i < ei; i++, j++) if (a.charCodeAt(i) !== b.charCodeAt(j)) return a.charCodeAt(i) < b.charCodeAt(j) ? -1 : 1;
      continue;
    }
    if (ca !== cb) return ca < cb ? -1 : 1;
    i++;
    j++;
  }
  const left = a.length - i - (b.length - j);
  return left === 0 ? 0 : left < 0 ? -1 : 1;
}
