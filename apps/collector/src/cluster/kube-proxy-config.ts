/**
 * kube-proxy's own configuration, from the `config.conf` key of ConfigMap kube-system/kube-proxy
 * (where kubeadm and kind put it; k3s, GKE and others pass flags instead, so it may be absent).
 *
 * The text is a KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1) in YAML or JSON. It is
 * parsed with client-node's `loadYaml` (js-yaml inside, already installed with client-node) rather
 * than a home-made YAML subset, which would break on flow sequences, quoting or block scalars; no
 * new dependency either way. Only the fields that change how packets are routed are kept.
 */
import { loadYaml } from '@kubernetes/client-node';
import { z } from 'zod';

function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}
const masquerade = z.object({ masqueradeBit: optional(z.number()), masqueradeAll: optional(z.boolean()) });

const kubeProxyConfigurationSchema = z.object({
  apiVersion: optional(z.string()),
  kind: optional(z.string()),
  /** '' means the platform default: iptables on Linux. */
  mode: optional(z.string()),
  clusterCIDR: optional(z.string()),
  /** '' means ClusterCIDR when clusterCIDR is set (kube-proxy's default). */
  detectLocalMode: optional(z.string()),
  detectLocal: optional(
    z.object({ bridgeInterface: optional(z.string()), interfaceNamePrefix: optional(z.string()) }),
  ),
  nodePortAddresses: optional(z.array(z.string())),
  iptables: optional(masquerade.extend({ localhostNodePorts: optional(z.boolean()) })),
  nftables: optional(masquerade),
  ipvs: optional(
    z.object({
      scheduler: optional(z.string()),
      strictARP: optional(z.boolean()),
      excludeCIDRs: optional(z.array(z.string())),
    }),
  ),
  /** Newer kube-proxy versions move masqueradeAll here. */
  linux: optional(z.object({ masqueradeAll: optional(z.boolean()) })),
});

/** The routing-relevant subset of a KubeProxyConfiguration, in its own field names. */
export type KubeProxyConfig = z.output<typeof kubeProxyConfigurationSchema>;

export type KubeProxyConfigParse =
  | { readonly kind: 'parsed'; readonly config: KubeProxyConfig }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Parses `config.conf`; never throws. */
export function parseKubeProxyConfig(text: string): KubeProxyConfigParse {
  let document: unknown;
  try {
    document = loadYaml<unknown>(text);
  } catch (error) {
    return {
      kind: 'invalid',
      reason: error instanceof Error ? (error.message.split('\n')[0] ?? 'unparsable') : 'unparsable',
    };
  }
  // loadYaml returns a class instance; spread makes it a plain object for the schema.
  const result = kubeProxyConfigurationSchema.safeParse(
    typeof document === 'object' && document !== null ? { ...document } : document,
  );
  if (!result.success) {
    const issue = result.error.issues[0];
    return {
      kind: 'invalid',
      reason: issue
        ? `${issue.path.join('.') || '(document)'}: ${issue.message}`
        : 'not a KubeProxyConfiguration',
    };
  }
  return { kind: 'parsed', config: result.data };
}
