// The fixed catalogue of read-only commands the node-dump collector may run on a node.
//
// Security model: every command line that ever reaches a remote shell is one of the string
// constants below (optionally behind the constant SUDO_PREFIX). Callers only *select* entries by
// id; no user text is ever interpolated into a command. `lookupNodeCommand` refuses unknown ids.
import { NodeCollectError } from './node-collect-error.js';

/** Which parser a dump is meant for, and what it covers. */
export type DumpFormat =
  | 'iptables-save'
  | 'nft-ruleset'
  | 'ipvsadm-save'
  | 'ipvsadm-list-stats'
  | 'ipset-save'
  | 'ip-addr-json'
  | 'ip-addr-text'
  | 'ip-route-json'
  | 'ip-route-text'
  | 'sysctl-lines'
  | 'conntrack-extended'
  | 'version-text';

/** Hints for whoever parses the dump: format, address family, iptables backend. */
export interface ParseHints {
  readonly format: DumpFormat;
  readonly family?: 'ipv4' | 'ipv6';
  /** `legacy`/`nft` name the x_tables or nf_tables backend; `default` is whatever `iptables-save` links to. */
  readonly backend?: 'default' | 'legacy' | 'nft';
  /** Empty output is normal (e.g. the iptables backend this node does not use). */
  readonly emptyIsNormal?: boolean;
}

/** One catalogue entry. `command` is a constant; nothing is ever substituted into it. */
export interface NodeCommand {
  readonly id: NodeCommandId;
  readonly command: string;
  readonly needsRoot: boolean;
  readonly description: string;
  readonly parse: ParseHints;
  /** Run when no explicit selection is given. Text fallbacks are off by default. */
  readonly defaultSelected: boolean;
  /** Entry to run instead when this one fails (e.g. an `ip` without `-j`). */
  readonly fallback?: NodeCommandId;
}

/** The constant prefix used when the caller asks for sudo; `-n` never prompts for a password. */
export const SUDO_PREFIX = 'sudo -n ';

// /proc/sys is read directly (not `sysctl`) so a key the kernel lacks (br_netfilter not loaded) is
// reported as missing instead of failing the whole command. Output: `key = value` / `# missing: key`.
const SYSCTL_KEYS = [
  'net/ipv4/ip_forward',
  'net/ipv6/conf/all/forwarding',
  'net/ipv4/conf/all/route_localnet',
  'net/ipv4/conf/all/rp_filter',
  'net/bridge/bridge-nf-call-iptables',
  'net/bridge/bridge-nf-call-ip6tables',
  'net/ipv4/vs/conntrack',
  'net/ipv4/vs/conn_reuse_mode',
  'net/ipv4/vs/expire_nodest_conn',
  'net/netfilter/nf_conntrack_max',
  'net/netfilter/nf_conntrack_count',
] as const;
const SYSCTL_COMMAND =
  `for k in ${SYSCTL_KEYS.join(' ')}; do ` +
  `if [ -r "/proc/sys/$k" ]; then printf '%s = %s\\n' "$(echo "$k" | tr / .)" "$(cat "/proc/sys/$k")"; ` +
  `else printf '# missing: %s\\n' "$(echo "$k" | tr / .)"; fi; done`;

/** How many conntrack entries to keep at most; the table can hold millions on a busy node. */
export const CONNTRACK_MAX_LINES = 50_000;

const CATALOGUE = {
  'iptables-save': {
    command: 'iptables-save -c',
    needsRoot: true,
    description: 'IPv4 iptables rules with counters, via the default iptables backend',
    parse: { format: 'iptables-save', family: 'ipv4', backend: 'default', emptyIsNormal: true },
    defaultSelected: true,
  },
  'iptables-legacy-save': {
    command: 'iptables-legacy-save -c',
    needsRoot: true,
    description: 'IPv4 iptables rules with counters, x_tables (legacy) backend',
    parse: { format: 'iptables-save', family: 'ipv4', backend: 'legacy', emptyIsNormal: true },
    defaultSelected: true,
  },
  'iptables-nft-save': {
    command: 'iptables-nft-save -c',
    needsRoot: true,
    description: 'IPv4 iptables rules with counters, nf_tables backend',
    parse: { format: 'iptables-save', family: 'ipv4', backend: 'nft', emptyIsNormal: true },
    defaultSelected: true,
  },
  'ip6tables-save': {
    command: 'ip6tables-save -c',
    needsRoot: true,
    description: 'IPv6 iptables rules with counters, via the default iptables backend',
    parse: { format: 'iptables-save', family: 'ipv6', backend: 'default', emptyIsNormal: true },
    defaultSelected: true,
  },
  'ip6tables-legacy-save': {
    command: 'ip6tables-legacy-save -c',
    needsRoot: true,
    description: 'IPv6 iptables rules with counters, x_tables (legacy) backend',
    parse: { format: 'iptables-save', family: 'ipv6', backend: 'legacy', emptyIsNormal: true },
    defaultSelected: true,
  },
  'ip6tables-nft-save': {
    command: 'ip6tables-nft-save -c',
    needsRoot: true,
    description: 'IPv6 iptables rules with counters, nf_tables backend',
    parse: { format: 'iptables-save', family: 'ipv6', backend: 'nft', emptyIsNormal: true },
    defaultSelected: true,
  },
  'nft-ruleset': {
    command: 'nft list ruleset',
    needsRoot: true,
    description: 'The whole nftables ruleset (kube-proxy nftables mode, and iptables-nft tables)',
    parse: { format: 'nft-ruleset', emptyIsNormal: true },
    defaultSelected: true,
  },
  'ipvsadm-save': {
    command: 'ipvsadm -Sn',
    needsRoot: true,
    description: 'IPVS virtual services and real servers, numeric, in restore format',
    parse: { format: 'ipvsadm-save', emptyIsNormal: true },
    defaultSelected: true,
  },
  'ipvsadm-stats': {
    command: 'ipvsadm -Ln --stats',
    needsRoot: true,
    description: 'IPVS virtual services with per-service and per-real-server counters',
    parse: { format: 'ipvsadm-list-stats' },
    defaultSelected: true,
  },
  'ipset-save': {
    command: 'ipset save',
    needsRoot: true,
    description: 'ipsets (kube-proxy IPVS mode keeps KUBE-CLUSTER-IP and friends here)',
    parse: { format: 'ipset-save', emptyIsNormal: true },
    defaultSelected: true,
  },
  'ip-addr-json': {
    command: 'ip -j addr',
    needsRoot: false,
    description: 'Interfaces and addresses as JSON (kube-ipvs0 holds the IPVS service addresses)',
    parse: { format: 'ip-addr-json' },
    defaultSelected: true,
    fallback: 'ip-addr',
  },
  'ip-addr': {
    command: 'ip addr',
    needsRoot: false,
    description: 'Interfaces and addresses as text, for iproute2 builds without -j',
    parse: { format: 'ip-addr-text' },
    defaultSelected: false,
  },
  'ip-route-json': {
    command: 'ip -j route show table all',
    needsRoot: false,
    description: 'IPv4 routes of every table (local table included) as JSON',
    parse: { format: 'ip-route-json', family: 'ipv4' },
    defaultSelected: true,
    fallback: 'ip-route',
  },
  'ip-route': {
    command: 'ip route show table all',
    needsRoot: false,
    description: 'IPv4 routes of every table as text, for iproute2 builds without -j',
    parse: { format: 'ip-route-text', family: 'ipv4' },
    defaultSelected: false,
  },
  'ip6-route-json': {
    command: 'ip -6 -j route show table all',
    needsRoot: false,
    description: 'IPv6 routes of every table as JSON',
    parse: { format: 'ip-route-json', family: 'ipv6' },
    defaultSelected: true,
    fallback: 'ip6-route',
  },
  'ip6-route': {
    command: 'ip -6 route show table all',
    needsRoot: false,
    description: 'IPv6 routes of every table as text, for iproute2 builds without -j',
    parse: { format: 'ip-route-text', family: 'ipv6' },
    defaultSelected: false,
  },
  sysctls: {
    command: SYSCTL_COMMAND,
    needsRoot: false,
    description:
      'Forwarding, route_localnet, bridge-nf-call-*, IPVS and conntrack sysctls (read from /proc/sys)',
    parse: { format: 'sysctl-lines' },
    defaultSelected: true,
  },
  conntrack: {
    // No `2>/dev/null`: the shell's "command not found" must stay visible on stderr.
    command: `conntrack -L -o extended | head -n ${CONNTRACK_MAX_LINES}`,
    needsRoot: true,
    description: `The conntrack table, first ${CONNTRACK_MAX_LINES} entries (opt out with exclude: ['conntrack'])`,
    parse: { format: 'conntrack-extended', emptyIsNormal: true },
    defaultSelected: true,
  },
  'iptables-version': {
    command: 'iptables --version',
    needsRoot: false,
    description: 'iptables version and backend, e.g. "iptables v1.8.9 (nf_tables)"',
    parse: { format: 'version-text' },
    defaultSelected: true,
  },
  'nft-version': {
    command: 'nft --version',
    needsRoot: false,
    description: 'nftables version',
    parse: { format: 'version-text' },
    defaultSelected: true,
  },
  'ipvsadm-version': {
    command: 'ipvsadm --version',
    needsRoot: true,
    description: 'ipvsadm version (also asks the kernel for its IPVS version)',
    parse: { format: 'version-text' },
    defaultSelected: true,
  },
  'kernel-release': {
    command: 'uname -r',
    needsRoot: false,
    description: 'Kernel release',
    parse: { format: 'version-text' },
    defaultSelected: true,
  },
} as const satisfies Record<string, Omit<NodeCommand, 'id' | 'fallback'> & { fallback?: string }>;

/** Every id the catalogue knows. The only thing a caller can choose about a command. */
export type NodeCommandId = keyof typeof CATALOGUE;

/** The catalogue, frozen, in its canonical order (the order commands run in). */
export const NODE_COMMANDS: readonly NodeCommand[] = Object.freeze(
  Object.entries(CATALOGUE).map(([id, entry]) =>
    Object.freeze({
      id: id as NodeCommandId,
      ...entry,
      parse: Object.freeze({ ...entry.parse }),
    } as NodeCommand),
  ),
);

const BY_ID: ReadonlyMap<string, NodeCommand> = new Map(NODE_COMMANDS.map((c) => [c.id, c]));

/** The ids run when the caller selects nothing. */
export const DEFAULT_NODE_COMMAND_IDS: readonly NodeCommandId[] = Object.freeze(
  NODE_COMMANDS.filter((c) => c.defaultSelected).map((c) => c.id),
);

/** Narrows arbitrary input (CLI flag, HTTP body) to a catalogue id. */
export function isNodeCommandId(value: unknown): value is NodeCommandId {
  return typeof value === 'string' && BY_ID.has(value);
}

/** The catalogue entry for `id`; throws `unknown-command-id` for anything else. */
export function lookupNodeCommand(id: string): NodeCommand {
  const found = BY_ID.get(id);
  if (found === undefined) {
    throw new NodeCollectError({
      code: 'unknown-command-id',
      message: `Unknown node command id ${JSON.stringify(id)}; the catalogue has: ${[...BY_ID.keys()].join(', ')}`,
      id,
    });
  }
  return found;
}

/**
 * The ids to run, in catalogue order, deduplicated: `selected` (default: the default set) minus
 * `exclude`. Throws `unknown-command-id` for any id not in the catalogue, before anything runs.
 */
export function selectNodeCommands(
  selected?: readonly string[],
  exclude: readonly string[] = [],
): NodeCommand[] {
  const wanted = new Set((selected ?? DEFAULT_NODE_COMMAND_IDS).map((id) => lookupNodeCommand(id).id));
  for (const id of exclude) wanted.delete(lookupNodeCommand(id).id);
  return NODE_COMMANDS.filter((c) => wanted.has(c.id));
}

/**
 * The exact line sent to the remote shell for catalogue entry `id`: its constant, behind the
 * constant sudo prefix when asked and the entry needs root. Takes an id, never an entry or a
 * string, so nothing outside the catalogue can reach a shell.
 */
export function remoteCommandLine(id: NodeCommandId, sudo: boolean): string {
  const command = lookupNodeCommand(id);
  return sudo && command.needsRoot ? SUDO_PREFIX + command.command : command.command;
}
