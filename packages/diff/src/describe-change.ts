import type { NodeChange, ServicePortChange } from './model';
import { describeProbe } from './probes';

/** A share as people read it: `33.3%`, `50%`. */
export function percent(share: number): string {
  const p = share * 100;
  return `${Number.isInteger(Math.round(p * 10) / 10) ? Math.round(p) : p.toFixed(1)}%`;
}

const seconds = (s: number | null): string => (s === null ? 'none' : `ClientIP, ${s} s`);
const port = (p: number | null): string => (p === null ? 'none' : String(p));
const role = (r: 'external-ip' | 'load-balancer-ip'): string => (r === 'external-ip' ? 'external IP' : 'load-balancer IP');

/** One line saying what changed, in Service terms. */
export function describeChange(c: ServicePortChange): string {
  switch (c.kind) {
    case 'service-port-added':
      return `Service port added (${c.endpoints.length ? `endpoints ${c.endpoints.join(', ')}` : 'no endpoints'})`;
    case 'service-port-removed':
      return `Service port removed (it had ${c.endpoints.length ? `endpoints ${c.endpoints.join(', ')}` : 'no endpoints'})`;
    case 'endpoint-added':
      return `endpoint ${c.endpoint} added (${percent(c.share)} of new connections)`;
    case 'endpoint-removed':
      return `endpoint ${c.endpoint} removed (had ${percent(c.share)})`;
    case 'share-changed':
      return `endpoint ${c.endpoint}: share ${percent(c.before)} → ${percent(c.after)}`;
    case 'affinity-changed':
      return `session affinity ${seconds(c.before)} → ${seconds(c.after)}`;
    case 'node-port-changed':
      return `NodePort ${port(c.before)} → ${port(c.after)}`;
    case 'address-added':
      return `${role(c.role)} ${c.address} added`;
    case 'address-removed':
      return `${role(c.role)} ${c.address} removed`;
    case 'verdict-added':
      return `${c.verdict} added: ${describeProbe(c.probe)} is now ${c.verdict === 'REJECT' ? 'rejected' : 'dropped'} (${percent(c.share)})`;
    case 'verdict-removed':
      return `${c.verdict} removed: ${describeProbe(c.probe)} was ${c.verdict === 'REJECT' ? 'rejected' : 'dropped'} (${percent(c.share)})`;
    case 'masquerade-changed':
      return `masquerade ${percent(c.before)} → ${percent(c.after)} of ${describeProbe(c.probe)}`;
    case 'reachability-changed':
      return `${describeProbe(c.probe)}: ${c.before} → ${c.after}`;
    default: {
      const never: never = c;
      return never;
    }
  }
}

/** One line for a change of the node as a whole. */
export function describeNodeChange(c: NodeChange): string {
  switch (c.kind) {
    case 'foreign-rule-added':
      return `rule added before KUBE-SERVICES on ${c.hook}, not kube-proxy's: ${c.evidence.after[0]?.text ?? '?'}`;
    case 'foreign-rule-removed':
      return `rule removed from before KUBE-SERVICES on ${c.hook}: ${c.evidence.before[0]?.text ?? '?'}`;
    default: {
      const never: never = c;
      return never;
    }
  }
}
