import { counterDeltas } from '@svcpath/counters';
import { buildOverview, buildServiceGraph, namespaceOverview, namespaceServices, searchServices, serviceCatalog, serviceGraphSteps, type ServiceInfo } from '@svcpath/graph';
import { parseIP, type IP } from '@svcpath/netaddr';
import { loadRuleset, type DumpFile, type Ruleset } from '@svcpath/ruleset';
import { iptablesBackend } from '@svcpath/proxy-layout';
import { recentForReturningClient, trace, type TraceLimits, type TraceResult } from '@svcpath/tracer';
import { compareNodes, diagnose, flowMatrix, helpAnchor, type MatrixNode } from '@svcpath/diagnostics';
import { diffTimeline } from '@svcpath/diff';
import { DomainError } from '../errors';
import { engineFiles } from './engine-files';
import { diagnoseClusterState } from './diagnose-cluster-state';
import type { EngineOp, EngineSnapshot, LoadSummary } from './engine-ops';

interface Parsed {
  readonly version: string;
  readonly ruleset: Ruleset | null;
  readonly summary: LoadSummary;
  /** Which iptables made the dump, when its header or name says: it decides whether deep nesting loads. */
  readonly backend: 'nft' | 'legacy' | undefined;
  /** The doctor's answers by Service ('' for the whole node): a snapshot never changes, and diagnosing a big one takes seconds. */
  readonly findings: Map<string, unknown>;
}

/**
 * Parses snapshots and answers ops over their rulesets, keeping the last `capacity` parsed
 * snapshots. Runs inside the engine's worker thread, so parsing a 50 MB dump never blocks the
 * server's event loop; it has no I/O of its own and can run in-process in tests.
 */
export class RulesetQueries {
  private readonly cache = new Map<string, Parsed>();

  /** `traceLimits`: each trace's budget (the engine adds a clock), so no snapshot can make one run away. */
  constructor(
    readonly capacity = 6,
    private readonly traceLimits: TraceLimits = {},
  ) {}

  has(id: string, version: string): boolean {
    return this.cache.get(id)?.version === version;
  }

  evict(id: string): void {
    this.cache.delete(id);
  }

  /** Parses `snapshot`'s files: texts, or bytes shared with this worker (an import's, or the store's; see engine-files.ts). */
  load(snapshot: EngineSnapshot): Parsed {
    const started = performance.now();
    const files = engineFiles(snapshot.files);
    const r = loadRuleset(files);
    const rs = r.ruleset;
    const summary: LoadSummary = {
      formats: r.formats,
      diagnostics: r.diagnostics.slice(0, 200).map((d) => ({ code: d.code, severity: d.severity, message: d.message, file: d.span.file, line: d.span.line })),
      diagnosticCount: r.diagnostics.length,
      chainCount: rs?.chains.size ?? 0,
      ruleCount: rs ? ruleCount(rs, files) : 0,
      serviceCount: rs ? serviceCatalog(rs).length : 0,
      assumptions: rs?.assumptions ?? [],
      parseMs: Math.round(performance.now() - started),
    };
    const backend = files.map((f) => iptablesBackend(f.name, f.text.slice(0, 4096))).find((b) => b !== null) ?? undefined;
    const parsed: Parsed = { version: snapshot.version, ruleset: rs, summary, backend, findings: new Map() };
    this.cache.delete(snapshot.id);
    this.cache.set(snapshot.id, parsed);
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return parsed;
  }

  /** Runs `op`; the snapshot must have been loaded (see {@link has}). */
  run(id: string, op: EngineOp): unknown {
    const parsed = this.cache.get(id);
    if (!parsed) throw new Error(`snapshot ${id} not loaded`);
    // Refresh its place in the LRU order.
    this.cache.delete(id);
    this.cache.set(id, parsed);
    if (op.kind === 'load') return parsed.summary;
    const rs = parsed.ruleset;
    if (!rs) throw new DomainError('NO_RULES', 'this snapshot holds no rules svcpath can trace', { formats: parsed.summary.formats });
    if (op.kind === 'counters') return this.counters(op.since.id, rs);
    if (op.kind === 'diff') return diffTimeline([{ label: id, ruleset: rs, nodeIPs: op.nodeIPs }, ...op.others.map((o) => ({ label: o.id, ruleset: this.rulesetOf(o.id), nodeIPs: o.nodeIPs }))]);
    if (op.kind === 'matrix') return this.matrix(op, { nodeName: op.nodeName, ruleset: rs, nodeIPs: op.nodeIPs });
    if (op.kind === 'trace') return traceOp(rs, op, parsed.backend, this.traceLimits);
    if (op.kind !== 'findings') return answer(rs, op);
    const key = [op.service ?? '', op.from ?? '', op.to ?? '', op.proto ?? ''].join('\u0000');
    if (!parsed.findings.has(key)) {
      // One diagnosis per traced packet: keep the newest few, not one per packet ever asked.
      if (parsed.findings.size >= 32) parsed.findings.delete(parsed.findings.keys().next().value!);
      parsed.findings.set(key, answer(rs, op));
    }
    return parsed.findings.get(key);
  }

  /** The steps that build what every Service's graph reads, for a snapshot already parsed (see serviceGraphSteps). */
  prepareSteps(id: string): readonly (() => void)[] {
    const rs = this.cache.get(id)?.ruleset;
    return rs ? serviceGraphSteps(rs) : [];
  }

  /** A loaded snapshot's ruleset; NO_RULES when it holds none. */
  private rulesetOf(id: string): Ruleset {
    const parsed = this.cache.get(id);
    if (!parsed) throw new Error(`snapshot ${id} not loaded`);
    if (!parsed.ruleset) throw new DomainError('NO_RULES', `snapshot ${id} holds no rules svcpath can read`, { snapshot: id });
    return parsed.ruleset;
  }

  private matrix(op: Extract<EngineOp, { kind: 'matrix' }>, self: MatrixNode): unknown {
    const nodes = [self, ...op.others.map((o) => ({ nodeName: o.nodeName, ruleset: this.rulesetOf(o.id), nodeIPs: o.nodeIPs }))].sort((a, b) => a.nodeName.localeCompare(b.nodeName));
    const judge = op.clusterState ? { clusterState: op.clusterState } : {};
    const findings = compareNodes(nodes, judge).map((f) => ({ ...f, help: helpAnchor(f.code) }));
    return { findings, matrix: op.packet ? flowMatrix(nodes, op.packet, judge) : null };
  }

  /** Counter deltas from snapshot `sinceId` (loaded, see {@link has}) to `after`. */
  private counters(sinceId: string, after: Ruleset): unknown {
    const before = this.cache.get(sinceId)?.ruleset;
    if (before === undefined) throw new Error(`snapshot ${sinceId} not loaded`);
    if (!before) throw new DomainError('NO_RULES', 'the earlier snapshot holds no rules svcpath can trace', { since: sinceId });
    const report = counterDeltas(before, after);
    if (!report.hasCounters)
      throw new DomainError('NO_COUNTERS', 'neither snapshot has rule counters: save the rules with `iptables-save -c` (nft dumps carry none)', { since: sinceId });
    return report;
  }
}

/** How many rules a ruleset has: a scanned dump's from its scan (counting its chains' rules would read every one). */
function ruleCount(rs: Ruleset, files: readonly DumpFile[]): number {
  const scanned = files.find((f) => f.scanned)?.scanned;
  if (scanned && rs.chains === scanned.dump.chainsById) return scanned.dump.ruleCount;
  let n = 0;
  for (const c of rs.chains.values()) n += c.rules.length;
  return n;
}

const byId = new WeakMap<readonly ServiceInfo[], ReadonlyMap<string, ServiceInfo>>();

/** A catalogue's Services by id, made once per catalogue: the search reads all 10,000 of a big one (20-60 ms) to find one. */
function servicesById(catalog: readonly ServiceInfo[]): ReadonlyMap<string, ServiceInfo> {
  let m = byId.get(catalog);
  if (!m) {
    m = new Map(catalog.map((s) => [s.id, s]));
    byId.set(catalog, m);
  }
  return m;
}

function answer(rs: Ruleset, op: Exclude<EngineOp, { kind: 'load' | 'counters' | 'diff' | 'matrix' }>): unknown {
  switch (op.kind) {
    case 'services':
      return searchServices(serviceCatalog(rs), op.query, op.limit);
    case 'service': {
      const s = servicesById(serviceCatalog(rs)).get(op.service);
      if (!s) throw new DomainError('SERVICE_NOT_FOUND', `no rules for Service "${op.service}" in this snapshot`, { service: op.service });
      return s;
    }
    case 'overview':
      return buildOverview(rs, { ...(op.namespace ? { namespace: op.namespace } : {}), ...(op.maxNodes ? { maxNodes: op.maxNodes } : {}) });
    case 'namespaces':
      return namespaceOverview(serviceCatalog(rs));
    case 'namespace-services':
      return namespaceServices(serviceCatalog(rs), op.namespace);
    case 'service-graph': {
      const g = buildServiceGraph(rs, op.service);
      if (!g) throw new DomainError('SERVICE_NOT_FOUND', `no rules for Service "${op.service}" in this snapshot`, { service: op.service });
      return g;
    }
    case 'trace':
      return traceOp(rs, op, undefined, {});
    case 'findings': {
      const clusterState = op.clusterState ? diagnoseClusterState(op.clusterState) : undefined;
      return diagnose({
        ruleset: rs,
        nodeName: op.nodeName,
        nodeIPs: op.nodeIPs,
        ...(clusterState ? { clusterState } : {}),
        ...(op.to ? { to: op.to } : op.service ? { to: op.service } : {}),
        ...(op.from ? { from: op.from } : {}),
        ...(op.proto ? { proto: op.proto } : {}),
        ...(op.conntrack ? { conntrack: op.conntrack } : {}),
      });
    }
    default: {
      const never: never = op;
      throw new Error(`unknown op ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A trace within its budget. No answer is an error, not a verdict: a ruleset the kernel would
 * refuse to load (RULESET_REFUSED, naming the rule) or a trace over its budget.
 */
function traceOp(rs: Ruleset, op: Extract<EngineOp, { kind: 'trace' }>, backend: 'nft' | 'legacy' | undefined, limits: TraceLimits): TraceResult {
  const f = op.flow;
  const src = parseIP(f.src)!;
  const local = op.nodeIPs.map((a) => parseIP(a)).filter((a): a is IP => a !== null);
  const recent = f.returningTo ? recentForReturningClient(rs, src, f.returningTo) : undefined;
  const r = trace(
    rs,
    { src, dst: parseIP(f.dst)!, dport: f.dport, proto: f.proto, ...(f.sport ? { sport: f.sport } : {}), ...(f.inIface ? { inIface: f.inIface } : {}) },
    { localAddresses: local, ...(recent ? { recent } : {}), ...(f.returningTo ? { returningTo: f.returningTo } : {}), ...(backend ? { iptablesBackend: backend } : {}) },
    limits,
  );
  if (!r.error) return r;
  const details = { code: r.error.code, file: r.error.file, line: r.error.line, ...(r.error.backend ? { backend: r.error.backend } : {}) };
  if (r.error.code === 'TRACE_BUDGET_EXCEEDED') throw new DomainError('TRACE_BUDGET_EXCEEDED', r.error.message, details);
  throw new DomainError('RULESET_REFUSED', `${r.error.file}:${r.error.line}: ${r.error.message}`, details);
}
