import type { Counters } from '@svcpath/parse-iptables';
import { serviceChains, servicePortNameOf } from '@svcpath/proxy-layout';
import type { RsChain, RsRule, Ruleset } from '@svcpath/ruleset';

/**
 * How a delta was measured:
 * - `before`: after − before, the rule being the same in both dumps;
 * - `reset`: the counter went down, so the rule was rewritten between the saves (kube-proxy's
 *   iptables-restore recreates the chains it syncs, zeroing their counters); the delta is the
 *   after value, a lower bound;
 * - `added`: the rule is not in the before dump; the delta is everything it counted since it was
 *   written, a lower bound too.
 */
export type DeltaBasis = 'before' | 'reset' | 'added';

/** One rule (or a built-in chain's policy) whose counters moved. */
export interface RuleDelta {
  readonly table: string;
  readonly chain: string;
  /** 1-based position in the after dump's chain; 0 for a built-in chain's policy. */
  readonly index: number;
  readonly file: string;
  readonly line: number;
  /** The rule as written, or `:CHAIN POLICY` for a policy. */
  readonly raw: string;
  readonly packets: number;
  readonly bytes: number;
  readonly basis: DeltaBasis;
  /** The ServicePortName the rule belongs to (its per-Service chain, or its comment), if any. */
  readonly service: string | null;
  /** A terminal DROP or REJECT (or a DROP policy): the packets it counted died here. */
  readonly died: 'DROP' | 'REJECT' | null;
  /** For a DNAT rule: where it sends connections (`ip:port`). */
  readonly dnat: string | null;
}

/** What the moved counters say about one Service port. */
export interface ServiceCounters {
  readonly service: string;
  /**
   * New connections per DNAT destination. nat-table rules only see a connection's first packet
   * (later ones follow the conntrack entry), so a DNAT rule's packet delta counts connections.
   */
  readonly endpoints: readonly { destination: string; connections: number }[];
  /** The sum of `endpoints`. */
  readonly connections: number;
  /** Packets counted by the Service's DROP/REJECT rules (every retransmitted SYN counts). */
  readonly died: number;
  /** How many of its rules moved. */
  readonly rules: number;
}

export interface CounterDeltaReport {
  /** Rules whose counters moved, in dump order (tables, chains, rules as the after dump has them). */
  readonly moved: readonly RuleDelta[];
  /** The moved rules that are terminal DROP/REJECT: where packets died. */
  readonly died: readonly RuleDelta[];
  /** Per Service port, the busiest first. */
  readonly services: readonly ServiceCounters[];
  /** Rules only in the after dump (their whole count is reported, basis `added`). */
  readonly added: number;
  /** Rules only in the before dump (no delta can be measured). */
  readonly removed: number;
  /** False when neither dump carries rule counters (saved without `iptables-save -c`). */
  readonly hasCounters: boolean;
}

/**
 * The parsers keep `[packets:bytes]` on iptables rules and chains (`iptables-save -c`); the
 * dataplane-neutral model does not name them, so they are read where present. nft rulesets carry
 * none and yield an empty report.
 */
function countersOf(x: RsRule | RsChain): Counters | null {
  const c = (x as { counters?: unknown }).counters;
  if (typeof c !== 'object' || c === null) return null;
  const { packets, bytes } = c as { packets?: unknown; bytes?: unknown };
  return typeof packets === 'number' && typeof bytes === 'number' ? { packets, bytes } : null;
}

function policyOf(chain: RsChain): 'ACCEPT' | 'DROP' | null {
  const p = (chain as { policy?: unknown }).policy;
  return p === 'ACCEPT' || p === 'DROP' ? p : null;
}

/** The same rule in both dumps: same chain, same text, same occurrence among equal rules. */
function ruleKeys(chain: RsChain): string[] {
  const seen = new Map<string, number>();
  return chain.rules.map((r) => {
    const n = seen.get(r.raw) ?? 0;
    seen.set(r.raw, n + 1);
    return `${chain.id}\u0000${r.raw}\u0000${n}`;
  });
}

function indexRules(rs: Ruleset): Map<string, Counters | null> {
  const out = new Map<string, Counters | null>();
  for (const chain of rs.chains.values()) {
    ruleKeys(chain).forEach((k, i) => {
      const rule = chain.rules[i]!;
      if (!rule.assumed) out.set(k, countersOf(rule));
    });
    const policy = policyOf(chain);
    if (policy) out.set(`${chain.id}\u0000:policy`, countersOf(chain));
  }
  return out;
}

function delta(before: Counters | null | undefined, after: Counters): { packets: number; bytes: number; basis: DeltaBasis } {
  if (!before) return { ...after, basis: 'added' };
  if (after.packets < before.packets || after.bytes < before.bytes) return { ...after, basis: 'reset' };
  return { packets: after.packets - before.packets, bytes: after.bytes - before.bytes, basis: 'before' };
}

function describeRule(rs: Ruleset, chain: RsChain, rule: RsRule): Pick<RuleDelta, 'service' | 'died' | 'dnat'> {
  const a = rule.action;
  const died = a?.kind === 'DROP' ? 'DROP' : a?.kind === 'REJECT' ? 'REJECT' : null;
  const dnat = a?.kind === 'DNAT' ? a.to.map((t) => t.text).join(',') : null;
  return { service: serviceChains(rs).get(chain.id) ?? servicePortNameOf(rule.comment), died, dnat };
}

function movedRules(before: Map<string, Counters | null>, after: Ruleset): { moved: RuleDelta[]; added: number; seen: Set<string> } {
  const moved: RuleDelta[] = [];
  const seen = new Set<string>();
  let added = 0;
  for (const chain of after.chains.values()) {
    const policy = policyOf(chain);
    const pc = countersOf(chain);
    const policyKey = `${chain.id}\u0000:policy`;
    seen.add(policyKey);
    if (policy && pc) {
      const d = delta(before.get(policyKey), pc);
      if (d.packets > 0)
        moved.push({ table: chain.table, chain: chain.name, index: 0, file: chain.span?.file ?? '', line: chain.span?.line ?? 0, raw: `:${chain.name} ${policy}`, ...d, service: null, died: policy === 'DROP' ? 'DROP' : null, dnat: null });
    }
    ruleKeys(chain).forEach((key, i) => {
      const rule = chain.rules[i]!;
      const c = rule.assumed ? null : countersOf(rule);
      seen.add(key);
      if (!before.has(key) && !rule.assumed) added++;
      if (!c) return;
      const d = delta(before.get(key), c);
      if (d.packets === 0) return;
      moved.push({ table: chain.table, chain: chain.name, index: rule.index, file: rule.span.file, line: rule.span.line, raw: rule.raw, ...d, ...describeRule(after, chain, rule) });
    });
  }
  return { moved, added, seen };
}

function perService(moved: readonly RuleDelta[]): ServiceCounters[] {
  const by = new Map<string, { endpoints: Map<string, number>; died: number; rules: number }>();
  for (const d of moved) {
    if (!d.service) continue;
    const s = by.get(d.service) ?? { endpoints: new Map<string, number>(), died: 0, rules: 0 };
    by.set(d.service, s);
    s.rules++;
    if (d.dnat) s.endpoints.set(d.dnat, (s.endpoints.get(d.dnat) ?? 0) + d.packets);
    if (d.died) s.died += d.packets;
  }
  const out = [...by].map(([service, s]) => {
    const endpoints = [...s.endpoints].map(([destination, connections]) => ({ destination, connections })).sort((a, b) => b.connections - a.connections || a.destination.localeCompare(b.destination));
    return { service, endpoints, connections: endpoints.reduce((n, e) => n + e.connections, 0), died: s.died, rules: s.rules };
  });
  return out.sort((a, b) => b.connections + b.died - (a.connections + a.died) || a.service.localeCompare(b.service));
}

/**
 * Compares two `iptables-save -c` dumps of one node taken some time apart and reports the rules
 * whose packet counters moved: where packets really went (per rule, per Service, per endpoint) and
 * where they died (terminal DROP/REJECT rules and DROP policies that counted packets). Rules are
 * matched by table, chain and raw text, equal rules in one chain by their order.
 */
export function counterDeltas(before: Ruleset, after: Ruleset): CounterDeltaReport {
  const prior = indexRules(before);
  const { moved, added, seen } = movedRules(prior, after);
  const removed = [...prior.keys()].filter((k) => !seen.has(k) && !k.endsWith('\u0000:policy')).length;
  // Chain lines always carry `[p:b]`, with or without -c; only rule counters tell.
  const ruleCounters = (rs: Ruleset) => [...rs.chains.values()].some((c) => c.rules.some((r) => countersOf(r) !== null));
  const hasCounters = ruleCounters(before) || ruleCounters(after);
  return { moved, died: moved.filter((d) => d.died !== null), services: perService(moved), added, removed, hasCounters };
}
