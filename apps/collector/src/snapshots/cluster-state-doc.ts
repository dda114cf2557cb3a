/**
 * Cluster state in a snapshot. Whatever comes in (from readClusterState, or from a file someone
 * hands to `import`) goes through the cluster adapter's allow-list schemas before it is stored, so
 * a Pod's env, a last-applied-configuration annotation or any other field they do not name is
 * dropped: a snapshot never carries credentials, even when the file it was imported from did.
 */
import type { SnapshotClusterState } from '@svcpath/api-contract';
import { describeIssues } from '@svcpath/api-contract';
import type { z } from 'zod';
import {
  endpointSliceSchema,
  endpointsSchema,
  nodeSchema,
  podSchema,
  serviceSchema,
} from '../cluster/k8s-object-schemas.js';
import { parseKubeProxyConfig } from '../cluster/kube-proxy-config.js';
import type { ClusterState } from '../cluster/index.js';
import { SnapshotError } from './snapshot-error.js';

function narrowAll(schema: z.ZodType, objects: readonly unknown[], field: string, file: string): unknown[] {
  return objects.map((object, i) => {
    const parsed = schema.safeParse(object);
    if (parsed.success) return parsed.data;
    const first = describeIssues(parsed.error)[0] ?? 'invalid';
    const where = `${field}[${i}]`;
    throw new SnapshotError('INVALID', `${file}: ${where}.${first}`, { file, field: where, issues: describeIssues(parsed.error) });
  });
}

/** JSON round trip: drops `undefined`, turns Dates into strings, makes a plain copy. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Narrows cluster state to the allow-listed fields. Throws SnapshotError INVALID naming the field
 * (`clusterState.services[3].spec.ports: …`) when an object lacks what the schemas need.
 */
export function sanitizeClusterState(state: SnapshotClusterState, file: string, at = 'clusterState'): SnapshotClusterState {
  const endpoints = state.endpoints;
  const narrowed =
    endpoints.kind === 'EndpointSlices'
      ? { kind: endpoints.kind, slices: narrowAll(endpointSliceSchema, endpoints.slices, `${at}.endpoints.slices`, file) }
      : endpoints.kind === 'Endpoints'
        ? { kind: endpoints.kind, endpoints: narrowAll(endpointsSchema, endpoints.endpoints, `${at}.endpoints.endpoints`, file) }
        : endpoints;
  let kubeProxyConfig: Record<string, unknown> | null = null;
  if (state.kubeProxyConfig !== null) {
    const parsed = parseKubeProxyConfig(JSON.stringify(state.kubeProxyConfig));
    if (parsed.kind === 'invalid')
      throw new SnapshotError('INVALID', `${file}: ${at}.kubeProxyConfig: ${parsed.reason}`, { file, field: `${at}.kubeProxyConfig` });
    kubeProxyConfig = parsed.config;
  }
  return plain({
    context: state.context,
    server: state.server.replace(/\/\/[^/@]*@/, '//'),
    services: narrowAll(serviceSchema, state.services, `${at}.services`, file),
    endpoints: narrowed,
    pods: narrowAll(podSchema, state.pods, `${at}.pods`, file),
    nodes: narrowAll(nodeSchema, state.nodes, `${at}.nodes`, file),
    kubeProxyConfig,
  } as SnapshotClusterState);
}

/** readClusterState's result as snapshot data. */
export function clusterStateDoc(state: ClusterState): SnapshotClusterState {
  return plain(state) as SnapshotClusterState;
}
