import type { RsRule } from '@svcpath/ruleset';
import type { Outcome } from '@svcpath/tracer';
import type { FindingCode } from './codes';

export type Severity = 'critical' | 'warning' | 'info';

/** A rule of the node's dump that shows the problem, with the file and line it came from. */
export interface RuleEvidence {
  readonly kind: 'rule';
  /** `table/chain`, as the ruleset keys it. */
  readonly chain: string;
  readonly file: string;
  /** 0 when the rule was assumed by the loader (a fragment without hook jumps). */
  readonly line: number;
  readonly raw: string;
}

/** A field of a Kubernetes object: `ref` is `namespace/Kind/name` (`Node/name` for cluster-scoped). */
export interface ObjectEvidence {
  readonly kind: 'object';
  readonly ref: string;
  readonly field: string;
  readonly value: string;
}

/** One outcome of a traced packet: what the rules do with it and the path that decided it. */
export interface TraceEvidence {
  readonly kind: 'trace';
  /** `tcp 10.0.0.2 → 172.30.0.41:80`. */
  readonly packet: string;
  readonly verdict: Outcome['verdict'];
  readonly probability: number;
  readonly destination: string | null;
  readonly path: readonly { table: string; chain: string; rule: number; file: string; line: number; action: string }[];
}

/** A kernel setting the caller gave (`sysctl -a` output). */
export interface SysctlEvidence {
  readonly kind: 'sysctl';
  readonly name: string;
  readonly value: string;
}

/** A line of an ipvsadm or ipset dump, or an address that kube-ipvs0 lacks. */
export interface IpvsEvidence {
  readonly kind: 'ipvs';
  readonly file: string;
  readonly line: number;
  readonly raw: string;
}

/** A line of the node's conntrack table (`conntrack -L`). */
export interface ConntrackEvidence {
  readonly kind: 'conntrack';
  readonly file: string;
  readonly line: number;
  readonly raw: string;
}

export type Evidence = RuleEvidence | ObjectEvidence | TraceEvidence | SysctlEvidence | IpvsEvidence | ConntrackEvidence;

/**
 * One thing the doctor found: a stable `code` (anchor in docs/doctor.md), how bad it is, what it
 * means in plain words, the evidence it rests on, and what to do next.
 */
export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly title: string;
  readonly explanation: string;
  readonly evidence: readonly Evidence[];
  readonly nextStep: string;
  /** The ServicePortName (`ns/svc:port`) or Service (`ns/svc`) the finding is about. */
  readonly service?: string;
  /** The node the finding is about, when comparing several nodes. */
  readonly node?: string;
  /**
   * The finding this one follows from (no endpoints *because* the selector matches no Pod): fix
   * that one and this one goes away. Ranked right after its cause.
   */
  readonly cause?: FindingCause;
}

/** Points at another finding of the same report by its code and Service. */
export interface FindingCause {
  readonly code: FindingCode;
  readonly service?: string;
}

const RANK: Readonly<Record<Severity, number>> = { critical: 0, warning: 1, info: 2 };

/**
 * Most severe first; within a severity the traced flow's own findings first, then by Service and
 * code, so the same input gives the same order.
 */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  const keys = new Map(findings.map((f) => [f, `${f.code.startsWith('FLOW_') ? 0 : 1}${f.service ?? ''}\u0000${f.code}\u0000${f.node ?? ''}`] as const));
  const sorted = [...findings].sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    return RANK[a.severity] - RANK[b.severity] || (ka < kb ? -1 : ka > kb ? 1 : 0);
  });
  return underTheirCauses(sorted);
}

/** Whether `f` is the finding `cause` points at. */
export function isCause(f: Finding, cause: FindingCause): boolean {
  return f.code === cause.code && f.service === cause.service;
}

/** A finding's code and Service as one key (a finding without a Service is not one with ''). */
function causeKey(code: FindingCode, service: string | undefined): string {
  return service === undefined ? `${code}\u0001` : `${code}\u0000${service}`;
}

/** Appends `f` to the list of its key in `m`. */
function push(m: Map<string, Finding[]>, key: string, f: Finding): void {
  const list = m.get(key);
  if (list) list.push(f);
  else m.set(key, [f]);
}

/**
 * Within each severity, moves each finding that follows from another right after it; severity
 * still comes first (a warning that follows from a critical stays among the warnings). Findings
 * are found by code and Service in maps: a stale node's thousands of drift findings all follow
 * from one, and a search of every finding for each would take seconds.
 */
function underTheirCauses(sorted: readonly Finding[]): Finding[] {
  const byKey = new Map<string, Finding[]>();
  for (const f of sorted) push(byKey, causeKey(f.code, f.service), f);
  const derived = sorted.filter((f) => f.cause && (byKey.get(causeKey(f.cause.code, f.cause.service)) ?? []).some((c) => c !== f && c.severity === f.severity));
  if (derived.length === 0) return [...sorted];
  const derivedSet = new Set(derived);
  const byCause = new Map<string, Finding[]>();
  for (const d of derived) push(byCause, causeKey(d.cause!.code, d.cause!.service), d);
  const out: Finding[] = [];
  const placed = new Set<Finding>();
  const place = (f: Finding) => {
    if (placed.has(f)) return;
    placed.add(f);
    out.push(f);
    for (const d of byCause.get(causeKey(f.code, f.service)) ?? []) if (d.severity === f.severity) place(d);
  };
  for (const f of sorted) if (!derivedSet.has(f)) place(f);
  // Findings whose causes lead round in a circle have no first one: each goes where it sorts, once.
  for (const f of sorted) place(f);
  return out;
}

/** Evidence citing one rule of a chain. */
export function ruleEvidence(chainId: string, rule: RsRule): RuleEvidence {
  return { kind: 'rule', chain: chainId, file: rule.span.file, line: rule.assumed ? 0 : rule.span.line, raw: rule.raw };
}

/** Evidence citing a field of an API object. */
export function objectEvidence(ref: string, field: string, value: unknown): ObjectEvidence {
  return { kind: 'object', ref, field, value: typeof value === 'string' ? value : JSON.stringify(value) };
}
