// The Pod that prints one node's digest (`svcpath node-digest`), as a plain object. Pure. The same
// Pod as deploy/examples/node-digest-pod.yaml: host network and NET_ADMIN/NET_RAW to read the
// node's rules (see ../node-pod/node-dump-pod.ts for why each grant is needed), not privileged, no
// host mounts, no ServiceAccount token, read-only root file system, stopped by the kubelet at
// `activeDeadlineSeconds` even if svcpath dies before deleting it. Only the node name and bucket
// numbers reach its command line, both checked here.
import { MANAGED_BY_LABEL, NODE_CONTAINER_SECURITY, NODE_POD_SETTINGS } from '../node-pod/node-dump-pod.js';

/** The svcpath image (docs/deploy.md builds it); its CLI is at /app/apps/cli/bin/svcpath.js. */
export const DEFAULT_DIGEST_IMAGE = 'ghcr.io/svcpath/svcpath:0.1.0';
/** The namespace deploy/base creates for node Pods (Pod Security `privileged` there only). */
export const DEFAULT_DIGEST_NAMESPACE = 'svcpath-nodes';
export const DIGEST_CONTAINER = 'digest';
const CLI = '/app/apps/cli/bin/svcpath.js';

export interface NodeDigestPodSpec {
  readonly name: string;
  readonly namespace: string;
  readonly node: string;
  readonly image: string;
  /** Buckets to detail (the second round), or none. */
  readonly detail?: readonly number[];
  readonly activeDeadlineSeconds: number;
}

const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The container's command: `node svcpath.js node-digest --node NODE [--detail N,N]`. */
export function nodeDigestCommand(node: string, detail?: readonly number[]): string[] {
  if (!NODE_NAME.test(node) || node.length > 253) throw new Error(`"${node}" is not a node name`);
  if (detail?.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) throw new Error('detail buckets must be 0-255');
  return ['node', CLI, 'node-digest', '--node', node, ...(detail?.length ? ['--detail', detail.join(',')] : [])];
}

/** The Pod object to create. */
export function nodeDigestPod(spec: NodeDigestPodSpec): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: { ...MANAGED_BY_LABEL, 'app.kubernetes.io/name': 'svcpath', 'app.kubernetes.io/component': 'node-digest' },
      annotations: { 'svcpath.dev/node': spec.node },
    },
    spec: {
      nodeName: spec.node,
      ...NODE_POD_SETTINGS,
      activeDeadlineSeconds: spec.activeDeadlineSeconds,
      tolerations: [{ operator: 'Exists' }],
      volumes: [{ name: 'tmp', emptyDir: {} }],
      containers: [
        {
          name: DIGEST_CONTAINER,
          image: spec.image,
          imagePullPolicy: 'IfNotPresent',
          command: nodeDigestCommand(spec.node, spec.detail),
          env: [{ name: 'HOME', value: '/tmp' }],
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
          securityContext: NODE_CONTAINER_SECURITY,
        },
      ],
    },
  };
}
