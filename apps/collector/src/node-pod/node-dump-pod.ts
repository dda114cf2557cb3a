// The Pod that dumps one node's rules, as a plain object (the JSON sent to POST …/pods). Pure.
//
// Like `kubectl debug node/NAME --profile=netadmin`, but narrower. Every field that grants
// something, and why it is needed:
// - `spec.nodeName`: pins the Pod to the node, bypassing the scheduler (so cordoned or full nodes
//   work too), as kubectl debug does.
// - `hostNetwork: true`: the only way in. iptables, nftables, IPVS, ipsets, conntrack, addresses,
//   routes and the /proc/sys/net sysctls all belong to the node's network namespace, and a process
//   sees the namespace it runs in. `hostPID` and `hostIPC` stay false: nothing here needs them.
// - capabilities: every one dropped, then `NET_ADMIN` (netlink dumps of nf_tables, IPVS, ipset and
//   conntrack, and the x_tables get-info/get-entries sockopts all check CAP_NET_ADMIN) and
//   `NET_RAW` (iptables-legacy reads its tables through a raw socket). Not `privileged`: no
//   devices, no SYS_ADMIN, no SYS_MODULE — so a missing module (ip_vs) is reported, never loaded.
// - no host mounts: nothing is read from the node's file system. /proc/sys/net follows the network
//   namespace, and uname asks the (shared) kernel. The root file system is read-only; the script's
//   scratch files go to an emptyDir at /tmp.
// - `tolerations: [{operator: Exists}]`: tolerate every taint (NoExecute included), so tainted
//   control-plane or NotReady-but-alive nodes can be dumped, as kubectl debug node does.
// - `runAsUser: 0`: the capabilities above are granted to root in the container; no privilege
//   escalation (no setuid), RuntimeDefault seccomp profile.
// - `automountServiceAccountToken: false`: the Pod never talks to the API server.
// - `activeDeadlineSeconds`: the kubelet kills it even if svcpath dies before deleting it.
import type { NodeCommandId } from '../node/node-commands.js';
import { SCRIPT_ENV } from './pod-dump-script.js';

/** Every Pod svcpath creates carries this label; `kubectl delete pods -l` finds leftovers. */
export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'svcpath' } as const;

/**
 * What every Pod svcpath runs on a node shares (the dump Pods here, the fleet's digest Pods): the
 * node's network namespace and nothing else of the host, never restarted, no API token.
 */
export const NODE_POD_SETTINGS = {
  hostNetwork: true,
  hostPID: false,
  hostIPC: false,
  restartPolicy: 'Never',
  automountServiceAccountToken: false,
  enableServiceLinks: false,
  terminationGracePeriodSeconds: 1,
} as const;

/** Its container's confinement: not privileged, read-only root, only NET_ADMIN and NET_RAW (what iptables-save and nft list need). */
export const NODE_CONTAINER_SECURITY = {
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsUser: 0,
  runAsNonRoot: false,
  capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
export const CONTAINER_NAME = 'dump';

export interface NodeDumpPodSpec {
  readonly name: string;
  readonly namespace: string;
  readonly node: string;
  readonly image: string;
  /** From `podDumpScript` only; the container's whole command. */
  readonly script: string;
  readonly commandIds: readonly NodeCommandId[];
  readonly timeoutSeconds: number;
  readonly maxBytes: number;
  readonly activeDeadlineSeconds: number;
}

/** The Pod object to create. */
export function nodeDumpPod(spec: NodeDumpPodSpec): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: { ...MANAGED_BY_LABEL, 'app.kubernetes.io/name': 'svcpath-node-dump' },
      annotations: { 'svcpath.dev/node': spec.node, 'svcpath.dev/commands': spec.commandIds.join(',') },
    },
    spec: {
      nodeName: spec.node,
      ...NODE_POD_SETTINGS,
      activeDeadlineSeconds: spec.activeDeadlineSeconds,
      tolerations: [{ operator: 'Exists' }],
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [
        {
          name: CONTAINER_NAME,
          image: spec.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-c', spec.script],
          env: [
            { name: SCRIPT_ENV.timeoutSeconds, value: String(spec.timeoutSeconds) },
            { name: SCRIPT_ENV.maxBytes, value: String(spec.maxBytes) },
            { name: 'TMPDIR', value: '/tmp' },
          ],
          volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }],
          resources: { requests: { cpu: '10m', memory: '32Mi' } },
          securityContext: NODE_CONTAINER_SECURITY,
        },
      ],
    },
  };
}
