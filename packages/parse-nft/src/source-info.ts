/** Keys that say where a node came from rather than what it means. */
const SOURCE_KEYS: ReadonlySet<string> = new Set(['raw', 'span', 'priorityRaw']);

/**
 * A deep copy without `raw`, `span` and `priorityRaw`: what is left is the meaning of the
 * ruleset, so the same rules read from text, `nft -a` text or JSON compare equal.
 */
export function withoutSourceInfo<T>(node: T): T {
  if (Array.isArray(node)) return node.map((x: unknown) => withoutSourceInfo(x)) as T;
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (!SOURCE_KEYS.has(k)) out[k] = withoutSourceInfo(v);
  return out as T;
}
