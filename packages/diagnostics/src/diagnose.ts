import { checkAffinity } from './checks/affinity';
import { checkConntrack } from './checks/conntrack';
import { checkStaleConntrack } from './checks/conntrack-stale';
import { checkDrift } from './checks/drift';
import { checkEndpoints } from './checks/endpoints';
import { checkFlow } from './checks/flow';
import { checkHairpin } from './checks/hairpin';
import { checkHooks } from './checks/hooks';
import { checkIpvs } from './checks/ipvs';
import { checkNotProxied } from './checks/not-proxied';
import { checkProbes } from './checks/probe';
import { checkRouteLocalnet } from './checks/route-localnet';
import { checkSelectorAndPorts } from './checks/selector';
import { checkTrafficPolicy } from './checks/traffic-policy';
import { linkCauses } from './causes';
import { confirmByTrace } from './confirm';
import { makeContext, type DiagnoseInput } from './context';
import { rankFindings, type Finding } from './finding';

export interface Diagnosis {
  /** Most severe first. */
  readonly findings: readonly Finding[];
  /** The Service (`ns/svc`) a `to` named or resolved to; other Services' findings are left out then. */
  readonly focus: string | null;
  /** What the doctor could not check with the input it had, in words. */
  readonly notChecked: readonly string[];
}

/**
 * Compares what the cluster says should happen with what the node's rules do, and returns the
 * differences as findings ranked by severity. With `to` (and optionally `from`) it also traces that
 * flow, explains each outcome that does not arrive, and keeps only findings about that Service and
 * the node as a whole.
 */
export function diagnose(input: DiagnoseInput): Diagnosis {
  const ctx = makeContext(input);
  const hooks = checkHooks(ctx);
  const flow = checkFlow(ctx);
  const all: Finding[] = [
    ...flow.findings,
    ...checkEndpoints(ctx),
    ...checkSelectorAndPorts(ctx),
    ...checkDrift(ctx),
    ...checkTrafficPolicy(ctx),
    ...checkAffinity(ctx),
    ...hooks,
    ...checkProbes(ctx, hooks.length > 0 || input.ipvs !== undefined),
    ...checkConntrack(ctx),
    ...checkStaleConntrack(ctx),
    ...checkHairpin(ctx),
    ...checkRouteLocalnet(ctx),
    ...checkNotProxied(ctx),
    ...checkIpvs(ctx),
  ];
  const focus = flow.focus;
  const kept = focus === null ? all : all.filter((f) => f.service === undefined || f.service === focus || f.service.startsWith(`${focus}:`) || f.code.startsWith('FLOW_'));
  return { findings: rankFindings(linkCauses(confirmByTrace(ctx, kept))), focus, notChecked: notChecked(input) };
}

function notChecked(input: DiagnoseInput): string[] {
  const out: string[] = [];
  if (!input.clusterState) out.push('No cluster state: endpoints, selectors, traffic policies and drift were judged from the rules alone.');
  else if (!input.clusterState.pods) out.push('No Pods in the cluster state: selectors, targetPorts and readiness reasons were not checked.');
  if (!input.conntrack) out.push('No conntrack table: flows that conntrack still sends to old endpoints were not looked for.');
  if (input.ruleset.dataplane !== 'iptables') out.push(`Drift and hairpin checks read kube-proxy's iptables layout; this is ${input.ruleset.dataplane} mode.`);
  if (!input.sysctls) out.push('No sysctls: route_localnet and conntrack table use were not checked.');
  if (input.ruleset.assumptions.length > 0) out.push('The dump has no built-in chain jumps; kube-proxy\'s standard jumps were assumed, so whether PREROUTING/OUTPUT reach KUBE-SERVICES was not checked.');
  return out;
}
