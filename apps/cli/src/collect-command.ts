import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { collectSnapshot, collectSnapshotViaPod, createKubeClusterSource, DEFAULT_POD_IMAGE, DEFAULT_POD_NAMESPACE, formatSnapshotProblem, type SshTarget } from '@svcpath/collector';
import { CliError, type Io } from './io';
import { openStore, withSnapshotErrors } from './snapshots-command';

const HELP = `Usage: svcpath collect --node NAME [--context C] [--ssh [USER@]HOST[:PORT] | --via-pod] [options]

Reads the cluster state (Services, EndpointSlices, Pods, Nodes, kube-proxy's config) through
kubeconfig and the node's dumps (iptables-save, nft, ipvsadm, ipset, addresses, …) over SSH, and
saves them as one snapshot. Whatever fails is listed as a problem; the rest is still saved.

  --node NAME               the Kubernetes node name (required)
  --context C               kubeconfig context (default: the current-context)
  --kubeconfig FILE         read only this kubeconfig (default: $KUBECONFIG, ~/.kube/config)
  --namespace NS            read only this namespace; repeatable (default: all)
  --no-cluster              do not read the cluster, only the node
  --ssh [USER@]HOST[:PORT]  where to SSH to for the node's dumps (an ssh_config alias works)
  --ssh-key FILE            private key to log in with (default: ssh_config, ssh-agent)
  --known-hosts FILE        known_hosts to check the host key against (default ~/.ssh/known_hosts)
  --accept-host-key SHA256:…  trust a host not yet in known_hosts if its key has this fingerprint
  --sudo                    run the commands that need root through "sudo -n"
  --via-pod                 no SSH: run the same read-only commands in a short-lived Pod on the node
                            (hostNetwork, NET_ADMIN/NET_RAW; deleted after). Needs RBAC pods: create,
                            get, delete and pods/log: get, in a Pod Security "privileged" namespace
  --pod-image IMG           the Pod's image (default ${DEFAULT_POD_IMAGE})
  --pod-namespace NS        where the Pod runs (default ${DEFAULT_POD_NAMESPACE})
  --timeout SECONDS         per-command time limit (default 300)
  --collection NAME         the collection (incident) the snapshot joins (default: context and time)
  --store DIR               where to save (default $SVCPATH_STORE, else ~/.svcpath/snapshots)

Exit codes: 0 saved (maybe with problems), 1 nothing could be collected, 2 bad command line.`;

/** `[user@]host[:port]`, with IPv6 hosts in brackets. */
export function parseSshTarget(text: string): SshTarget {
  const m = /^(?:([^@\s]+)@)?(\[[0-9a-fA-F:.]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(text);
  const port = m?.[3] === undefined ? undefined : Number(m[3]);
  if (!m || (port !== undefined && (port < 1 || port > 65535)))
    throw new CliError(`--ssh: "${text}" is not [USER@]HOST[:PORT]`, 2);
  return {
    host: m[2]!.replace(/^\[|\]$/g, ''),
    ...(m[1] === undefined ? {} : { user: m[1] }),
    ...(port === undefined ? {} : { port }),
  };
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        node: { type: 'string' },
        context: { type: 'string' },
        kubeconfig: { type: 'string' },
        namespace: { type: 'string', multiple: true },
        'no-cluster': { type: 'boolean' },
        ssh: { type: 'string' },
        'ssh-key': { type: 'string' },
        'known-hosts': { type: 'string' },
        'accept-host-key': { type: 'string', multiple: true },
        sudo: { type: 'boolean' },
        'via-pod': { type: 'boolean' },
        'pod-image': { type: 'string' },
        'pod-namespace': { type: 'string' },
        timeout: { type: 'string' },
        collection: { type: 'string' },
        store: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${HELP}`, 2);
  }
}

export async function collectCommand(args: string[], io: Io): Promise<number> {
  const v = parse(args);
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!v.node) throw new CliError(`--node NAME is required\n\n${HELP}`, 2);
  if (v.timeout !== undefined && !/^\d+$/.test(v.timeout)) throw new CliError(`--timeout: "${v.timeout}" is not a number of seconds`, 2);
  const path = (p: string) => resolve(io.cwd, p);
  if (v['via-pod'] && (v.ssh !== undefined || v.sudo)) throw new CliError('--via-pod and --ssh/--sudo exclude each other', 2);
  if (!v['via-pod'] && (v['pod-image'] !== undefined || v['pod-namespace'] !== undefined)) throw new CliError('--pod-image and --pod-namespace need --via-pod', 2);
  const ssh = v.ssh === undefined ? undefined : { ...parseSshTarget(v.ssh), ...(v['ssh-key'] ? { privateKeyPath: path(v['ssh-key']) } : {}) };
  const store = openStore(v.store, io);
  const common = {
    node: v.node,
    ...(v.context === undefined ? {} : { context: v.context }),
    ...(v.namespace === undefined ? {} : { namespaces: v.namespace }),
    ...(v.collection === undefined ? {} : { collection: v.collection }),
    ...(v.timeout === undefined ? {} : { timeoutMs: Number(v.timeout) * 1000 }),
    ...(v['no-cluster'] ? { skipCluster: true } : {}),
    clusterSource: createKubeClusterSource(v.kubeconfig ? { kubeconfigPath: path(v.kubeconfig) } : {}),
  };
  const pod = {
    allowHostNetworkPod: true as const,
    ...(v.kubeconfig ? { kubeconfigPath: path(v.kubeconfig) } : {}),
    ...(v['pod-image'] === undefined ? {} : { image: v['pod-image'] }),
    ...(v['pod-namespace'] === undefined ? {} : { namespace: v['pod-namespace'] }),
  };
  const { snapshot, problems } = v['via-pod']
    ? await collectSnapshotViaPod({ ...common, pod })
    : await collectSnapshot({
        ...common,
        ...(ssh === undefined ? {} : { ssh }),
        hostKeyPolicy: {
          ...(v['known-hosts'] ? { knownHostsPath: path(v['known-hosts']) } : {}),
          ...(v['accept-host-key'] ? { acceptFingerprint: v['accept-host-key'] } : {}),
        },
        ...(v.sudo ? { sudo: true } : {}),
      });
  for (const p of problems) io.stderr.write(`problem: ${formatSnapshotProblem(p)}\n`);
  if (snapshot.files.length === 0 && snapshot.clusterState === null)
    throw new CliError(`nothing was collected for node ${v.node}; nothing saved`, 1);
  const { file, replaced } = await withSnapshotErrors(() => store.put(snapshot));
  io.stdout.write(
    `${replaced ? 'replaced' : 'saved'} snapshot ${snapshot.id} in ${file}\n` +
      `  ${snapshot.files.length} dump files, mode ${snapshot.mode}, node IPs ${snapshot.nodeIPs.join(', ') || '(none)'}, cluster state ${snapshot.clusterState ? 'yes' : 'no'}, ${problems.length} problem(s)\n` +
      `  trace it: svcpath trace --snapshot ${snapshot.id}${v.store ? ` --store ${v.store}` : ''} --src IP --dst IP --dport N\n`,
  );
  return 0;
}
