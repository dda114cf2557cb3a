/**
 * Real-shaped scenarios for the doctor's tests: API objects built with the kernel lab's terse
 * builders (apps/kernel-lab/src/verify/cluster-builder.ts, the same JSON the API server serves) and
 * the rules kube-proxy would program for them, rendered by @svcpath/kube-proxy-sim. A test renders
 * the rules from one cluster state and diagnoses them against another (a drifted one).
 */
import type { EndpointSlice, Pod, Service } from '@svcpath/k8s-model';
import { renderIptablesSave, type IptablesProxierOptions } from '@svcpath/kube-proxy-sim';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { endpointSlice, service, type EpSpec, type SvcSpec } from '@svcpath/kube-proxy-sim';
import type { DiagnoseClusterState, DiagnoseInput } from './context';

export { endpointSlice, service, type EpSpec, type SvcSpec };

export const NODE = 'node-a';
export const NODE_IP = '192.168.0.10';
export const CLUSTER_CIDR = '10.244.0.0/16';

/** The rules kube-proxy on `nodeName` programs for `state`, loaded as a Ruleset. */
export function renderRules(
  state: { services: readonly Service[]; endpointSlices: readonly EndpointSlice[] },
  options: Partial<IptablesProxierOptions> = {},
): { ruleset: Ruleset; text: string } {
  const text = renderIptablesSave(state, { nodeName: NODE, nodeIPs: [NODE_IP], clusterCIDR: CLUSTER_CIDR, ...options });
  const ruleset = loadRuleset([{ name: `${options.nodeName ?? NODE}-iptables-save.txt`, text }]).ruleset!;
  return { ruleset, text };
}

/** A Pod as the API serves it: labels, one container with ports, placement, readiness. */
export function pod(p: {
  ns: string;
  name: string;
  ip: string;
  node?: string;
  labels: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
  ready?: boolean;
}): Pod {
  const ready = p.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: p.ns, name: p.name, labels: p.labels },
    spec: { nodeName: p.node ?? NODE, containers: [{ name: 'app', ports: p.ports ?? [] }] },
    status: {
      phase: 'Running',
      podIP: p.ip,
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'True' },
        { type: 'ContainersReady', status: ready ? 'True' : 'False' },
        { type: 'Ready', status: ready ? 'True' : 'False' },
      ],
    },
  };
}

/** An EndpointSlice whose endpoints name their Pods (targetRef), as the controller writes them. */
export function sliceWithPods(svc: SvcSpec, eps: (EpSpec & { pod: string })[], targetPorts: Record<string, number>): EndpointSlice {
  const base = endpointSlice(svc, eps, targetPorts);
  return { ...base, endpoints: (base.endpoints ?? []).map((e, i) => ({ ...e, targetRef: { kind: 'Pod', namespace: svc.ns, name: eps[i]!.pod } })) };
}

/** A diagnose() input for node-a. */
export function input(ruleset: Ruleset, clusterState?: DiagnoseClusterState, extra: Partial<DiagnoseInput> = {}): DiagnoseInput {
  return { ruleset, nodeName: NODE, nodeIPs: [NODE_IP], ...(clusterState ? { clusterState } : {}), ...extra };
}

/** The web Service most scenarios use: ClusterIP 10.96.0.20:80 → targetPort 8080. */
export const WEB: SvcSpec = { ns: 'shop', name: 'web', clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] };
