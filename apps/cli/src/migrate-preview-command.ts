import { parseArgs } from 'node:util';
import type { Snapshot } from '@svcpath/api-contract';
import { clusterStateOfSnapshot } from '@svcpath/diagnostics';
import { formatMigrationPreview, inferClusterCIDR, migrationPreview, type DiffSide } from '@svcpath/diff';
import { renderIptablesSave, renderNftablesTransaction, type IptablesProxierOptions, type NftablesProxierOptions } from '@svcpath/kube-proxy-sim';
import { readSnapshot, sideOf, snapshotSide } from './diff-command';
import { CliError, type Io } from './io';

const HELP = `Usage: svcpath migrate-preview --snapshot ID --to nftables|iptables [--store DIR]
         [--cluster-cidr CIDR] [--service-cidr CIDR] [--nodeport-addresses CIDR[,CIDR]] [--json | --markdown]

What would change if kube-proxy on this node ran in another mode. Renders what kube-proxy would
program in the target mode for the snapshot's cluster state, traces the same flows on the node's
rules and on that rendering — every Service port from a Pod, from the node and from outside, its
NodePort on every node address and on 127.0.0.1, external and load-balancer IPs, and a port the
Service does not define — and lists each flow whose outcome changes, grouped by cause, with the
kube-proxy option or documentation that explains it. The current mode is rendered too (iptables or
nftables), so a node that has drifted from its cluster state is named as such, not blamed on the mode.

  --snapshot ID          a stored snapshot with cluster state (collection~node)
  --to MODE              nftables or iptables
  --store DIR            where snapshots are kept (default $SVCPATH_STORE, else ~/.svcpath/snapshots)
  --cluster-cidr CIDR    kube-proxy's --cluster-cidr (default: the snapshot's kube-proxy config, else
                         read from the node's masquerade rules)
  --service-cidr CIDR    the cluster's service CIDRs (nftables drops unallocated addresses in them); repeatable
  --nodeport-addresses   kube-proxy's --nodeport-addresses (default: the snapshot's kube-proxy config,
                         else each mode's own default: every address for iptables, "primary" for nftables)
  --json                 the preview as JSON
  --markdown             Markdown for change reviews

Exit codes: 0 previewed (whatever changes); 1 bad input data; 2 bad command line.`;

const OPTIONS = {
  snapshot: { type: 'string' },
  to: { type: 'string' },
  store: { type: 'string' },
  'cluster-cidr': { type: 'string' },
  'service-cidr': { type: 'string', multiple: true },
  'nodeport-addresses': { type: 'string' },
  json: { type: 'boolean' },
  markdown: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Mode = 'iptables' | 'nftables';

/** `svcpath migrate-preview`: see HELP. */
export async function migratePreviewCommand(args: string[], io: Io): Promise<number> {
  let values;
  try {
    values = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${HELP}`, 2);
  }
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.snapshot) throw new CliError(`--snapshot ID is required\n\n${HELP}`, 2);
  if (values.to !== 'nftables' && values.to !== 'iptables') throw new CliError(`--to must be nftables or iptables\n\n${HELP}`, 2);
  if (values.json && values.markdown) throw new CliError('give --json or --markdown, not both', 2);
  const snapshot = await readSnapshot(values.snapshot, values.store, io);
  const current = snapshotSide(snapshot);
  const from = current.ruleset.dataplane;
  if (from === values.to) throw new CliError(`snapshot ${snapshot.id} is already in ${from} mode`, 1);
  const options = proxierOptions(snapshot, current, values);
  const render = (mode: Mode): DiffSide => renderSide(snapshot, mode, options);
  const preview = migrationPreview({ current, target: render(values.to), to: values.to, ...(from === 'iptables' || from === 'nftables' ? { baseline: render(from) } : {}) });
  io.stdout.write(values.json ? `${JSON.stringify(preview, null, 2)}\n` : formatMigrationPreview(preview, values.markdown === true));
  return 0;
}

interface CommonOptions {
  readonly nodeName: string;
  readonly nodeIPs: readonly string[];
  readonly clusterCIDR?: string;
  readonly masqueradeAll?: boolean;
  readonly nodePortAddresses?: readonly string[];
  readonly localhostNodePorts?: boolean;
  readonly serviceCIDRs: readonly string[];
}

type KubeProxyConfig = { clusterCIDR?: unknown; nodePortAddresses?: unknown; iptables?: { localhostNodePorts?: unknown; masqueradeAll?: unknown }; linux?: { masqueradeAll?: unknown } };

/** kube-proxy's options: the flags given, else the snapshot's kube-proxy config, else what the rules show. */
function proxierOptions(s: Snapshot, current: DiffSide, v: { 'cluster-cidr'?: string; 'service-cidr'?: string[]; 'nodeport-addresses'?: string }): CommonOptions {
  const cfg = (s.clusterState?.kubeProxyConfig ?? {}) as KubeProxyConfig;
  const str = (x: unknown) => (typeof x === 'string' && x !== '' ? x : undefined);
  const clusterCIDR = v['cluster-cidr'] ?? str(cfg.clusterCIDR)?.split(',')[0] ?? inferClusterCIDR(current.ruleset) ?? undefined;
  const npa = v['nodeport-addresses']?.split(',').map((x) => x.trim()).filter(Boolean) ?? (Array.isArray(cfg.nodePortAddresses) && cfg.nodePortAddresses.length ? (cfg.nodePortAddresses as string[]) : undefined);
  const masq = cfg.linux?.masqueradeAll ?? cfg.iptables?.masqueradeAll;
  return {
    nodeName: s.node,
    nodeIPs: s.nodeIPs,
    ...(clusterCIDR ? { clusterCIDR } : {}),
    ...(typeof masq === 'boolean' ? { masqueradeAll: masq } : {}),
    ...(npa ? { nodePortAddresses: npa } : {}),
    ...(typeof cfg.iptables?.localhostNodePorts === 'boolean' ? { localhostNodePorts: cfg.iptables.localhostNodePorts } : {}),
    serviceCIDRs: v['service-cidr'] ?? [],
  };
}

/** The snapshot's cluster state as kube-proxy would program it in `mode`, as a diff side. */
function renderSide(s: Snapshot, mode: Mode, o: CommonOptions): DiffSide {
  if (!s.clusterState || s.clusterState.endpoints.kind === 'unavailable')
    throw new CliError(`snapshot ${s.id} has no cluster state (Services and EndpointSlices); collect it with a kubeconfig, or import a folder with cluster-state.json`, 1);
  const state = clusterStateOfSnapshot(s.clusterState);
  const { serviceCIDRs, localhostNodePorts, ...common } = o;
  const text =
    mode === 'nftables'
      ? renderNftablesTransaction(state, { ...common, serviceCIDRs } satisfies NftablesProxierOptions)
      : renderIptablesSave(state, { ...common, ...(localhostNodePorts === undefined ? {} : { localhostNodePorts }) } satisfies IptablesProxierOptions);
  return sideOf(`${mode} (rendered by svcpath for ${s.id})`, [{ name: `rendered-${mode}`, text }], s.nodeIPs);
}
