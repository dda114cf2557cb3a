import { z } from 'zod';
import { parseIP } from '@svcpath/netaddr';
import { allowedKeyPath, KEY_REFUSED, sshKeyDirs } from './ssh-key-policy';

/** Where collections may take SSH keys from: read once, when the first collection is asked for. */
let keyDirs: string[] | undefined;

// Request shapes the server alone takes. They belong in @svcpath/api-contract next to FlowInput
// once the web app parses them too.

const ipText = z.string().refine((s) => parseIP(s) !== null, { message: 'expected an IPv4 or IPv6 address' });
const name = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only');

export const ImportSnapshotBody = z.object({
  collection: name.default('imported'),
  node: name,
  takenAt: z.iso.datetime().optional(),
  nodeIPs: z.array(ipText).max(64).default([]),
  files: z
    .array(z.object({ name: z.string().trim().min(1).max(200), text: z.string().min(1) }))
    .min(1)
    .max(16),
});
export type ImportSnapshotBody = z.infer<typeof ImportSnapshotBody>;

/** `POST /api/snapshots` with a text/plain body: the dump itself, the rest in the query. */
export const ImportTextQuery = z.object({
  collection: name.default('imported'),
  node: name.default('pasted'),
  nodeIPs: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []))
    .pipe(z.array(ipText).max(64)),
  name: z.string().trim().min(1).max(200).default('iptables-save.txt'),
});

export const ServicesQuery = z.object({
  q: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const OverviewQuery = z.object({
  namespace: z.string().min(1).max(253).optional(),
  maxNodes: z.coerce.number().int().min(20).max(2000).optional(),
});

/**
 * `GET /api/snapshots/:id/findings?service=ns/name[&from=…&to=…&proto=…]`. With a traced packet,
 * `from` (its source: an address or a Pod as ns/name) and `to` (IP:PORT) make the findings about
 * that packet, not about a source the doctor picks itself.
 */
export const FindingsQuery = z.object({
  service: z
    .string()
    .max(507)
    .regex(/^[a-z0-9][a-z0-9.-]*\/[a-z0-9][a-z0-9.-]*$/, 'a Service as namespace/name')
    .optional(),
  from: z
    .string()
    .max(507)
    .regex(/^(?:[0-9a-fA-F.:]{2,45}|[a-z0-9][a-z0-9.-]*\/[a-z0-9][a-z0-9.-]*)$/, 'an IP address or a Pod as namespace/name')
    .optional(),
  to: z
    .string()
    .max(60)
    .regex(/^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]{2,45}\]):\d{1,5}$/, 'IP:PORT ([IPv6]:PORT)')
    .optional(),
  proto: z.enum(['tcp', 'udp', 'sctp']).optional(),
});

/** `GET /api/snapshots/:id/counters?since=OTHER_ID`: the earlier snapshot of the same node. */
export const CountersQuery = z.object({
  since: z.string().min(1).max(600).regex(/^[A-Za-z0-9._~-]+$/, 'a snapshot id'),
});

/**
 * `POST /api/collections`: collect one node. `ssh` says where to reach the node (without it only
 * the cluster is read); a passphrase sent here is used for this collection and never stored or
 * returned. kubeconfig and ssh_config are the server user's own.
 */
export const CollectionBody = z.object({
  node: name,
  context: z.string().trim().min(1).max(253).optional(),
  collection: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"')
    .optional(),
  namespaces: z.array(z.string().min(1).max(63)).max(100).optional(),
  ssh: z
    .object({
      host: z.string().trim().min(1).max(253).regex(/^[^\s@/]+$/, 'a host name, address or ssh_config alias'),
      port: z.number().int().min(1).max(65535).optional(),
      user: z.string().trim().min(1).max(64).regex(/^[a-z_][a-z0-9_.-]*$/i, 'a user name').optional(),
      /** A key file name in the server's ~/.ssh or SVCPATH_SSH_KEY_DIRS (see ssh-key-policy.ts); becomes its path there. */
      privateKeyPath: z
        .string()
        .min(1)
        .max(4096)
        .transform((given, ctx) => {
          const path = allowedKeyPath(given, (keyDirs ??= sshKeyDirs()));
          if (path === null) ctx.addIssue({ code: 'custom', message: KEY_REFUSED });
          return path ?? given;
        })
        .optional(),
      passphrase: z.string().max(1024).optional(),
      proxyJump: z.string().trim().min(1).max(1000).optional(),
    })
    .strict()
    .optional(),
  /** `SHA256:…` of a host not yet in known_hosts, checked by the user out of band. */
  acceptFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'a SHA256:… fingerprint').optional(),
  /** Leave the cluster out: only the node's dumps. */
  skipCluster: z.boolean().optional(),
}).strict();
export type CollectionBody = z.infer<typeof CollectionBody>;
