import { formatIPv4, parseCidr, parseIP, type Cidr, type IP } from '@svcpath/netaddr';
import { trace, type L4Proto, type Outcome, type PacketSpec } from '@svcpath/tracer';
import { chainsInOrder } from '../chain-lines';
import type { DiagnoseContext } from '../context';
import type { Evidence, Finding } from '../finding';
import { bypassStep, decidingStep, isKubeChain, reachedServiceDispatch, stepRule, traceEvidence } from '../trace-evidence';

/** At most this many Service ports are traced; a foreign DROP rarely spares a few. */
export const MAX_PROBES = 64;

export interface ProbeTarget {
  readonly service: string;
  readonly dst: IP;
  readonly dport: number;
  readonly proto: L4Proto;
}

/** Service ports that have endpoints, as the cluster (or else the rules) says. */
export function probeTargets(ctx: DiagnoseContext): ProbeTarget[] {
  const out: ProbeTarget[] = [];
  if (ctx.intended) {
    for (const p of ctx.intended)
      // Ports whose rules are missing or stale are the drift check's; probe only what the node programs
      // (in nftables mode, where the catalogue is not read back, every port the cluster proxies).
      if (p.categories.clusterEndpoints.length > 0 && !p.info.internalPolicyLocal && programsEndpoints(ctx, p.info.nameString))
        out.push({ service: p.info.nameString, dst: p.info.clusterIP, dport: p.info.port, proto: lower(p.info.name.protocol) });
  } else {
    for (const p of ctx.programmed?.values() ?? []) {
      const dst = p.clusterIP ? parseIP(p.clusterIP) : null;
      if (dst && p.port !== null && p.endpoints.length > 0) out.push({ service: p.portName, dst, dport: p.port, proto: lower(p.protocol ?? 'tcp') });
    }
  }
  return out.slice(0, MAX_PROBES);
}

function programsEndpoints(ctx: DiagnoseContext, portName: string): boolean {
  if (!ctx.programmed) return true;
  return (ctx.programmed.get(portName)?.endpoints.length ?? 0) > 0;
}

function lower(p: string): L4Proto {
  const l = p.toLowerCase();
  return l === 'udp' || l === 'sctp' ? l : 'tcp';
}

const sources = new WeakMap<DiagnoseContext, { ip: IP; why: string }>();

/**
 * A plausible Pod source on this node: a Pod's IP, a local endpoint's, else 10.0.0.2 (said so).
 * Found once per context: the flow, hook, probe and confirming checks all trace from it.
 */
export function probeSource(ctx: DiagnoseContext): { ip: IP; why: string } {
  let source = sources.get(ctx);
  if (!source) sources.set(ctx, (source = findProbeSource(ctx)));
  return source;
}

function findProbeSource(ctx: DiagnoseContext): { ip: IP; why: string } {
  const node = ctx.input.nodeName;
  const pod = ctx.input.clusterState?.pods?.find((p) => p.spec?.nodeName === node && !p.spec.hostNetwork && p.status?.podIP);
  const podIP = pod?.status?.podIP ? parseIP(pod.status.podIP) : null;
  if (podIP) return { ip: podIP, why: `Pod ${pod!.metadata.name}'s address` };
  const local = firstLocalEndpoint(ctx);
  if (local) return { ip: local.ip, why: 'a local endpoint\'s address' };
  const nodeCidr = ctx.input.clusterState?.nodes?.find((n) => n.metadata.name === node)?.spec?.podCIDR;
  const cidr = (nodeCidr ? parseCidr(nodeCidr) : null) ?? podNetworkOfRules(ctx);
  if (cidr?.family === 4) {
    const ip = parseIP(formatIPv4(cidr.addr + 2))!;
    return { ip, why: `a Pod address in ${cidr.text} (${ip.text}; trace from a real Pod to be sure)` };
  }
  return { ip: parseIP('10.0.0.2')!, why: 'a made-up Pod address (10.0.0.2; trace from a real Pod to be sure)' };
}

/** The first local endpoint of the intended ports, in their order (no list of every endpoint built). */
function firstLocalEndpoint(ctx: DiagnoseContext): { ip: IP } | undefined {
  for (const p of ctx.intended ?? []) for (const e of p.endpoints) if (e.isLocal) return e;
  return undefined;
}

/** The Pod network kube-proxy's local-traffic detector uses: `! -s <cidr> -j KUBE-MARK-MASQ` in a KUBE-SVC chain. */
function podNetworkOfRules(ctx: DiagnoseContext): Cidr | null {
  for (const chain of chainsInOrder(ctx.rs)) {
    if (!chain.name.startsWith('KUBE-SVC-')) continue;
    for (const r of chain.rules) {
      if (r.action?.kind !== 'jump' || r.action.chain !== 'KUBE-MARK-MASQ') continue;
      const c = r.conds.find((x) => x.kind === 'addr' && x.dir === 'src' && x.negate);
      if (c?.kind === 'addr') return c.cidr;
    }
  }
  return null;
}

/**
 * Traces a Pod's connection to each Service's cluster IP and reports what stops it outside
 * kube-proxy's chains: a CNI, network-policy or host-firewall rule (or a DROP policy such as the
 * one Docker sets on FORWARD) that drops or rejects it, or a nat rule that accepts it before
 * KUBE-SERVICES can translate it.
 */
export function checkProbes(ctx: DiagnoseContext, skipBypass: boolean): Finding[] {
  const source = probeSource(ctx);
  const byRule = new Map<string, { services: string[]; evidence: Evidence[]; kind: 'drop' | 'bypass'; outcome: Outcome }>();
  for (const t of probeTargets(ctx)) {
    const packet: PacketSpec = { src: source.ip, dst: t.dst, dport: t.dport, proto: t.proto };
    const result = trace(ctx.rs, packet, { localAddresses: ctx.localAddresses });
    for (const o of result.outcomes) {
      let step = decidingStep(o);
      let kind: 'drop' | 'bypass' | null = null;
      if ((o.verdict === 'DROP' || o.verdict === 'REJECT') && step && !isKubeChain(step)) kind = 'drop';
      // Untranslated but through KUBE-SERVICES: it holds no rule for this address (drift's finding), no bypass.
      else if (o.verdict === 'ACCEPT' && o.destination === null && !skipBypass && !reachedServiceDispatch(o)) {
        kind = 'bypass';
        step = bypassStep(o);
      }
      if (!kind) continue;
      const key = step ? `${kind} ${step.table}/${step.chain}#${step.rule}` : kind;
      let entry = byRule.get(key);
      if (!entry) {
        const rule = step ? stepRule(ctx.rs, step) : null;
        byRule.set(key, (entry = { services: [], evidence: [...(rule ? [rule] : []), traceEvidence(packet, o)], kind, outcome: o }));
      }
      if (!entry.services.includes(t.service)) entry.services.push(t.service);
    }
  }
  return [...byRule.values()].map((e) => (e.kind === 'drop' ? dropFinding(e, source.why) : bypassFinding(e, source.why)));
}

function listed(services: readonly string[]): string {
  return services.length <= 4 ? services.join(', ') : `${services.slice(0, 4).join(', ')} and ${services.length - 4} more`;
}

function dropFinding(e: { services: string[]; evidence: Evidence[]; outcome: Outcome }, source: string): Finding {
  const step = decidingStep(e.outcome)!;
  const policy = step.rule === 0;
  return {
    code: 'FILTER_DROP_BEFORE_KUBE',
    severity: 'critical',
    title: `${step.table}/${step.chain} ${policy ? 'policy' : `rule ${step.rule}`} ${e.outcome.verdict === 'DROP' ? 'drops' : 'rejects'} traffic to ${listed(e.services)}`,
    explanation: `A connection from ${source} to ${e.services.length === 1 ? 'this Service' : `${e.services.length} Services`} is ${e.outcome.verdict === 'DROP' ? 'dropped' : 'rejected'} by ${policy ? `the ${step.chain} chain's DROP policy` : `a rule in ${step.chain}`}, which is not kube-proxy's: kube-proxy's rules would have sent it to an endpoint. Typical owners are a CNI's network-policy chains, a host firewall (firewalld, ufw), Docker (FORWARD policy DROP) or a security agent.`,
    evidence: e.evidence,
    nextStep: policy
      ? `Allow the Pod and Service networks in ${step.chain} (for Docker: \`iptables -P FORWARD ACCEPT\` or its ip-forward settings), or check which tool set the policy.`
      : `Find who owns ${step.chain} (its name, \`iptables -S ${step.chain}\` counters) and whether a NetworkPolicy or firewall rule is meant to block this source.`,
    ...(e.services.length === 1 ? { service: e.services[0]! } : {}),
  };
}

function bypassFinding(e: { services: string[]; evidence: Evidence[]; outcome: Outcome }, source: string): Finding {
  const step = bypassStep(e.outcome);
  const where = step
    ? `: ${step.table}/${step.chain} rule ${step.rule} (${step.action}) ends the packet's walk through the nat table before it reaches kube-proxy's KUBE-SERVICES chain`
    : ': none of the nat rules this packet matches on its way in leads to kube-proxy\'s KUBE-SERVICES chain';
  return {
    code: 'HOOK_KUBE_SERVICES_UNREACHED',
    severity: 'critical',
    title: `Traffic to ${listed(e.services)} passes the node untranslated`,
    explanation: `A connection from ${source} to the cluster IP is accepted without being translated to an endpoint${where}. The packet leaves for the cluster IP itself, which nothing answers: the connection times out.`,
    evidence: e.evidence,
    nextStep: step
      ? `Remove or narrow the rule \`iptables -t nat -S ${step.chain}\` shows at position ${step.rule} (who added it: a CNI, firewalld/ufw, a security agent), so the packet goes on to KUBE-SERVICES.`
      : 'Restart kube-proxy so it re-adds its jumps (`iptables -t nat -S PREROUTING` and `-S OUTPUT` should end with `-j KUBE-SERVICES`), and find what rewrote the nat table.',
    ...(e.services.length === 1 ? { service: e.services[0]! } : {}),
  };
}
