import type { ServicePortInfo as ProgrammedPort } from '@svcpath/proxy-layout';
import { endpointString, LABEL_SERVICE_NAME, type EndpointSlice } from '@svcpath/k8s-model';
import type { Ruleset } from '@svcpath/ruleset';
import { chainsInOrder } from '../chain-lines';
import { noEndpointRules, objectRef, type DiagnoseContext, type IntendedPort, type RuleAt } from '../context';
import { objectEvidence, ruleEvidence, type Evidence, type Finding } from '../finding';
import { serviceLadders } from '../svc-ladder';

const NOT_SYNCING_STEP =
  'Check kube-proxy on this node: `kubectl -n kube-system logs <kube-proxy pod on this node>` (iptables-restore errors, API watch errors, "Sync failed"), its metric kubeproxy_sync_proxy_rules_last_timestamp_seconds, and restart it if it is stuck.';

/**
 * The node's rules against the cluster: Service ports with no rules, endpoints in EndpointSlices
 * that no KUBE-SEP chain DNATs to, KUBE-SEP chains for endpoints that are gone, probability
 * ladders that are not even, affinity that differs — each the mark of a kube-proxy that stopped
 * syncing (or of hand edits). iptables mode only: the rules are read back with serviceCatalog.
 */
export function checkDrift(ctx: DiagnoseContext): Finding[] {
  if (!ctx.intended || !ctx.programmed) return [];
  const out: Finding[] = [];
  for (const p of ctx.intended) {
    const programmed = ctx.programmed.get(p.info.nameString);
    out.push(...(programmed ? portDrift(ctx, p, programmed) : [missingService(p)]));
  }
  const intendedNames = new Set(ctx.intended.map((p) => p.info.nameString));
  const skipped = new Set(ctx.proxyNotes.flatMap((n) => (n.kind === 'service-skipped' ? [n.skip.service] : [])));
  for (const port of ctx.programmed.values()) {
    if (intendedNames.has(port.portName)) continue;
    const svc = port.portName.split(':')[0]!;
    out.push({
      code: 'DRIFT_SERVICE_STALE',
      severity: 'warning',
      title: `The node still has rules for ${port.portName}`,
      explanation: skipped.has(svc)
        ? `${svc} is no longer proxied (it became headless, ExternalName or another proxy's), but this node's rules still translate its old addresses.`
        : `The cluster state has no such Service port, but this node's rules still translate ${port.clusterIP ?? 'its address'}:${port.port ?? '?'}${port.endpoints.length ? ` to ${port.endpoints.join(', ')}` : ''}. If the Service was deleted, kube-proxy here has not caught up.`,
      evidence: entryEvidence(ctx, port),
      nextStep: NOT_SYNCING_STEP,
      service: port.portName,
    });
  }
  return withSyncSummary(out);
}

function missingService(p: IntendedPort): Finding {
  return {
    code: 'DRIFT_SERVICE_MISSING',
    severity: 'critical',
    title: `${p.info.nameString} is not in this node's rules`,
    explanation: `The Service exists with cluster IP ${p.info.clusterIP.text}:${p.info.port}, but no rule on this node mentions it: packets to it are not translated and go wherever the node routes ${p.info.clusterIP.text} (usually nowhere — the connection times out). kube-proxy on this node has not synced since the Service was created.`,
    evidence: [objectEvidence(objectRef('Service', p.service.metadata), 'spec.clusterIP', p.info.clusterIP.text)],
    nextStep: NOT_SYNCING_STEP,
    service: p.info.nameString,
  };
}

function portDrift(ctx: DiagnoseContext, p: IntendedPort, programmed: ProgrammedPort): Finding[] {
  const out: Finding[] = [];
  const name = p.info.nameString;
  const intended = new Set(p.categories.allReachableEndpoints.map(endpointString));
  const inRules = new Set(programmed.endpoints);
  const missing = [...intended].filter((e) => !inRules.has(e));
  const stale = [...inRules].filter((e) => !intended.has(e));
  const ladders = serviceLadders(ctx.rs, name);
  const stepRules = (eps: readonly string[]): Evidence[] =>
    ladders.flatMap((l) => l.steps.filter((s) => s.endpoint !== null && eps.includes(s.endpoint)).map((s) => ruleEvidence(l.chain.id, s.rule)));
  if (missing.length > 0) {
    const all = missing.length === intended.size;
    out.push({
      code: 'DRIFT_ENDPOINT_MISSING',
      severity: all ? 'critical' : 'warning',
      title: `${name}: ${missing.length} endpoint(s) in the EndpointSlices are not in this node's rules`,
      explanation: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} ready in the cluster, but this node never sends traffic there${all ? (programmed.noEndpoints ? ' — its rules still reject the Service as having no endpoints' : ' — none of the current endpoints is programmed') : '; the other endpoints take all of this node\'s share'}. kube-proxy here has not seen the change.`,
      evidence: [
        ...missing.map((e) => sliceEvidence(ctx, p, e)),
        // What the node does instead: its ladder as written, or kube-proxy's "has no endpoints" REJECT.
        ...ladders.flatMap((l) => l.steps.map((s) => ruleEvidence(l.chain.id, s.rule))),
        ...noEndpointRules(ctx.rs, name, 'none').map((r) => ruleEvidence(r.chain.id, r.rule)),
      ],
      nextStep: NOT_SYNCING_STEP,
      service: name,
    });
  }
  if (stale.length > 0) {
    const share = ladders.find((l) => l.kind === 'svc')?.steps.filter((s) => s.endpoint !== null && stale.includes(s.endpoint)).reduce((t, s) => t + s.share, 0);
    out.push({
      code: 'DRIFT_ENDPOINT_STALE',
      severity: 'critical',
      title: `${name}: this node's rules send traffic to ${stale.length} endpoint(s) that no longer exist`,
      explanation: `The rules DNAT to ${stale.join(', ')}, which no EndpointSlice lists${share !== undefined && share > 0 ? ` — ${(share * 100).toFixed(1)}% of new connections from this node go there and time out or are refused (or reach whatever Pod reused the IP)` : ''}. kube-proxy here has not seen the endpoints go.`,
      evidence: stepRules(stale),
      nextStep: NOT_SYNCING_STEP,
      service: name,
    });
  }
  out.push(...probabilityDrift(name, ladders));
  const wanted = p.info.sessionAffinity.kind === 'ClientIP' ? p.info.sessionAffinity.timeoutSeconds : null;
  if (programmed.endpoints.length > 0 && wanted !== programmed.affinitySeconds) {
    out.push({
      code: 'DRIFT_AFFINITY',
      severity: 'warning',
      title: `${name}: session affinity in the rules (${programmed.affinitySeconds ?? 'none'}) differs from the Service (${wanted ?? 'none'})`,
      explanation: `The Service asks for ${wanted === null ? 'no session affinity' : `ClientIP affinity for ${wanted} s`}, the node's rules ${programmed.affinitySeconds === null ? 'have none' : `keep clients for ${programmed.affinitySeconds} s`}. kube-proxy here has not applied the change.`,
      evidence: [objectEvidence(objectRef('Service', p.service.metadata), 'spec.sessionAffinity', p.service.spec.sessionAffinity ?? 'None'), ...ladders.flatMap((l) => l.steps.slice(0, 1).map((s) => ruleEvidence(l.chain.id, s.rule)))],
      nextStep: NOT_SYNCING_STEP,
      service: name,
    });
  }
  return out;
}

/** kube-proxy writes 1/n, 1/(n-1), … so every endpoint of a ladder takes an equal share. */
function probabilityDrift(name: string, ladders: ReturnType<typeof serviceLadders>): Finding[] {
  const out: Finding[] = [];
  for (const l of ladders) {
    const n = l.steps.length;
    if (n < 2) continue;
    const off = l.steps.filter((s) => Math.abs(s.share - 1 / n) > 1e-3);
    if (off.length === 0) continue;
    out.push({
      code: 'DRIFT_PROBABILITY',
      severity: 'warning',
      title: `${name}: uneven shares in ${l.chain.name}`,
      explanation: `kube-proxy gives each of the ${n} endpoints 1/${n} (${((1 / n) * 100).toFixed(1)}%) of new connections, but these rules give ${l.steps.map((s) => `${s.endpoint ?? '?'} ${(s.share * 100).toFixed(1)}%`).join(', ')}. The ladder was edited by hand or written half-way.`,
      evidence: off.map((s) => ruleEvidence(l.chain.id, s.rule)),
      nextStep: 'Let kube-proxy rewrite the chain (restart it on this node) and find out who edits its rules.',
      service: name,
    });
  }
  return out;
}

function sliceEvidence(ctx: DiagnoseContext, p: IntendedPort, endpoint: string): Evidence {
  const ip = endpoint.replace(/^\[/, '').replace(/\]?:\d+$/, '');
  const slice = slicesOf(ctx, p.info.name.namespace, p.info.name.name).find(
    (s) => s.metadata.namespace === p.info.name.namespace && s.metadata.labels?.[LABEL_SERVICE_NAME] === p.info.name.name && (s.endpoints ?? []).some((e) => e.addresses[0] === ip),
  );
  return objectEvidence(objectRef('EndpointSlice', slice?.metadata ?? { namespace: p.info.name.namespace, name: `${p.info.name.name}-*` }), 'endpoints[].addresses', ip);
}

const slicesByService = new WeakMap<DiagnoseContext, Map<string, Map<string, EndpointSlice[]>>>();

/**
 * The EndpointSlices of one Service (by namespace and kubernetes.io/service-name label), in the
 * cluster state's order, from an index made once: a stale node can miss 100,000 endpoints, and a
 * search of every slice for each took seconds.
 */
function slicesOf(ctx: DiagnoseContext, namespace: string, service: string): readonly EndpointSlice[] {
  let idx = slicesByService.get(ctx);
  if (!idx) {
    idx = new Map();
    for (const s of ctx.input.clusterState?.endpointSlices ?? []) {
      const ns = s.metadata.namespace;
      const name = s.metadata.labels?.[LABEL_SERVICE_NAME];
      if (typeof ns !== 'string' || typeof name !== 'string') continue;
      const byName = idx.get(ns) ?? idx.set(ns, new Map()).get(ns)!;
      const list = byName.get(name);
      if (list) list.push(s);
      else byName.set(name, [s]);
    }
    slicesByService.set(ctx, idx);
  }
  return idx.get(namespace)?.get(service) ?? [];
}

/** The port's first four KUBE-SERVICES/KUBE-NODEPORTS rules (by the ServicePortName their comment starts with). */
export function entryEvidence(ctx: DiagnoseContext, port: Pick<ProgrammedPort, 'portName'>): Evidence[] {
  return (entryRulesByPort(ctx.rs).get(port.portName) ?? []).slice(0, 4).map((r) => ruleEvidence(r.chain.id, r.rule));
}

const entryIndex = new WeakMap<Ruleset, Map<string, RuleAt[]>>();

/**
 * The rules of KUBE-SERVICES and KUBE-NODEPORTS (every table) by the ServicePortName their comment
 * starts with (`ns/svc:port` alone or followed by a space), in chain and rule order, read once per
 * ruleset: a stale node has hundreds of stale ports, and each would read every comment again.
 */
function entryRulesByPort(rs: Ruleset): Map<string, RuleAt[]> {
  let idx = entryIndex.get(rs);
  if (idx) return idx;
  idx = new Map();
  for (const chain of chainsInOrder(rs)) {
    if (chain.name !== 'KUBE-SERVICES' && chain.name !== 'KUBE-NODEPORTS') continue;
    for (const rule of chain.rules) {
      const c = rule.comment;
      if (c === null) continue;
      // Each name the comment could be said to start with: the whole comment, and each part before a space.
      const names = [c];
      for (let i = c.indexOf(' '); i >= 0; i = c.indexOf(' ', i + 1)) names.push(c.slice(0, i));
      for (const name of new Set(names)) {
        const list = idx.get(name);
        if (list) list.push({ chain, rule });
        else idx.set(name, [{ chain, rule }]);
      }
    }
  }
  entryIndex.set(rs, idx);
  return idx;
}

/** Drift on two or more Services is one problem — kube-proxy not syncing — said once, on top. */
function withSyncSummary(findings: Finding[]): Finding[] {
  const services = new Set(findings.filter((f) => f.code !== 'DRIFT_PROBABILITY').map((f) => f.service));
  if (services.size < 2) return findings;
  return [
    {
      code: 'DRIFT_NODE_NOT_SYNCING',
      severity: 'critical',
      title: `kube-proxy on this node looks stale: ${services.size} Service ports differ from the cluster`,
      explanation: `The rules disagree with the cluster on ${[...services].slice(0, 6).join(', ')}${services.size > 6 ? ', …' : ''}. One Service drifting can be a sync in flight; several at once means kube-proxy here stopped applying changes (crash-looping, lost its API watch, iptables lock contention, or iptables-restore failing on one bad rule).`,
      evidence: firstRuleEvidence(findings, 5),
      nextStep: NOT_SYNCING_STEP,
    },
    ...findings,
  ];
}

/**
 * The rule evidence of the first `n` rules (by file:line) the findings cite, each as a map of all
 * their rule evidence by file:line would hold it (in its first place, with its last value), without
 * making that map: a stale large node's findings cite hundreds of thousands of rules.
 */
function firstRuleEvidence(findings: readonly Finding[], n: number): Evidence[] {
  const keys: string[] = [];
  const last = new Map<string, Evidence>();
  for (const f of findings) {
    for (const e of f.evidence) {
      if (e.kind !== 'rule') continue;
      const k = `${e.file}:${e.line}`;
      if (last.has(k) || keys.length < n) {
        if (!last.has(k)) keys.push(k);
        last.set(k, e);
      }
    }
  }
  return keys.map((k) => last.get(k)!);
}
