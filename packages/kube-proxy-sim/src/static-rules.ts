import { cidrContains, parseIP, type Cidr } from '@svcpath/netaddr';
import type { IptablesRule, TableBuilder, TableName } from './iptables-rule';
import type { ProxierConfig } from './proxier-options';

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
/** kubelet's anti-martian chain, duplicated by kube-proxy. */
export const KUBE_FIREWALL = 'KUBE-FIREWALL';

export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly string[]>> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

interface HookJump {
  readonly table: TableName;
  readonly hook: string;
  readonly chain: string;
  readonly comment: string;
  readonly newOnly: boolean;
}

/** kube-proxy's jumps from built-in chains, in the order it ensures them (iptablesJumpChains). */
const HOOK_JUMPS: readonly HookJump[] = [
  {
    table: 'filter',
    chain: KUBE_EXTERNAL_SERVICES,
    hook: 'INPUT',
    comment: 'kubernetes externally-visible service portals',
    newOnly: true,
  },
  {
    table: 'filter',
    chain: KUBE_EXTERNAL_SERVICES,
    hook: 'FORWARD',
    comment: 'kubernetes externally-visible service portals',
    newOnly: true,
  },
  {
    table: 'filter',
    chain: KUBE_NODEPORTS,
    hook: 'INPUT',
    comment: 'kubernetes health check service ports',
    newOnly: false,
  },
  {
    table: 'filter',
    chain: KUBE_SERVICES,
    hook: 'FORWARD',
    comment: 'kubernetes service portals',
    newOnly: true,
  },
  {
    table: 'filter',
    chain: KUBE_SERVICES,
    hook: 'OUTPUT',
    comment: 'kubernetes service portals',
    newOnly: true,
  },
  {
    table: 'filter',
    chain: KUBE_FORWARD,
    hook: 'FORWARD',
    comment: 'kubernetes forwarding rules',
    newOnly: false,
  },
  {
    table: 'filter',
    chain: KUBE_PROXY_FIREWALL,
    hook: 'INPUT',
    comment: 'kubernetes load balancer firewall',
    newOnly: true,
  },
  {
    table: 'filter',
    chain: KUBE_PROXY_FIREWALL,
    hook: 'OUTPUT',
    comment: 'kubernetes load balancer firewall',
    newOnly: true,
  },
  {
    table: 'filter',
    chain: KUBE_PROXY_FIREWALL,
    hook: 'FORWARD',
    comment: 'kubernetes load balancer firewall',
    newOnly: true,
  },
  {
    table: 'nat',
    chain: KUBE_SERVICES,
    hook: 'OUTPUT',
    comment: 'kubernetes service portals',
    newOnly: false,
  },
  {
    table: 'nat',
    chain: KUBE_SERVICES,
    hook: 'PREROUTING',
    comment: 'kubernetes service portals',
    newOnly: false,
  },
  {
    table: 'nat',
    chain: KUBE_POSTROUTING,
    hook: 'POSTROUTING',
    comment: 'kubernetes postrouting rules',
    newOnly: false,
  },
];

/**
 * The built-in chains' jump rules as they end up on a node. kubelet creates `-j KUBE-FIREWALL` in
 * filter INPUT and OUTPUT first; kube-proxy then *prepends* each of its jumps in list order, so
 * the last one ensured ends up first in its chain.
 */
export function hookJumpRules(table: TableName): IptablesRule[] {
  const byHook = new Map<string, IptablesRule[]>();
  for (const hook of BUILTIN_CHAINS[table]) byHook.set(hook, []);
  if (table === 'filter') {
    byHook.get('INPUT')!.push({ chain: 'INPUT', args: ['-j', KUBE_FIREWALL] });
    byHook.get('OUTPUT')!.push({ chain: 'OUTPUT', args: ['-j', KUBE_FIREWALL] });
  }
  for (const j of HOOK_JUMPS) {
    if (j.table !== table) continue;
    const args = [
      ...(j.newOnly ? ['-m', 'conntrack', '--ctstate', 'NEW'] : []),
      '-m',
      'comment',
      '--comment',
      j.comment,
      '-j',
      j.chain,
    ];
    byHook.get(j.hook)!.unshift({ chain: j.hook, args });
  }
  return [...byHook.values()].flat();
}

/** KUBE-POSTROUTING and KUBE-MARK-MASQ: masquerade what was marked, clearing the mark first. */
export function writeMasqueradeRules(nat: TableBuilder, cfg: ProxierConfig): void {
  const mark = cfg.masqueradeMark;
  nat.append(KUBE_POSTROUTING, ['-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN']);
  // Clear the mark so a packet re-traversing the stack is not masqueraded twice.
  nat.append(KUBE_POSTROUTING, ['-j', 'MARK', '--xor-mark', mark]);
  nat.append(KUBE_POSTROUTING, [
    '-m',
    'comment',
    '--comment',
    'kubernetes service traffic requiring SNAT',
    '-j',
    'MASQUERADE',
    ...(cfg.randomFully ? ['--random-fully'] : []),
  ]);
  nat.append(KUBE_MARK_MASQ, ['-j', 'MARK', '--or-mark', mark]);
}

/**
 * KUBE-FIREWALL's anti-martian rule: route_localnet (needed for localhost NodePorts) would let
 * remote hosts reach 127.0.0.0/8, so such packets are dropped unless they are replies or DNATed.
 */
export function writeLocalnetFirewall(filter: TableBuilder, cfg: ProxierConfig): void {
  if (cfg.isIPv6 || !cfg.localhostNodePorts) return;
  filter.declareChain(KUBE_FIREWALL);
  filter.append(KUBE_FIREWALL, [
    '-m',
    'comment',
    '--comment',
    'block incoming localnet connections',
    '-d',
    '127.0.0.0/8',
    '!',
    '-s',
    '127.0.0.0/8',
    '-m',
    'conntrack',
    '!',
    '--ctstate',
    'RELATED,ESTABLISHED,DNAT',
    '-j',
    'DROP',
  ]);
}

/** KUBE-FORWARD: drop INVALID, accept marked (NodePort) traffic and its replies. */
export function writeForwardRules(filter: TableBuilder, cfg: ProxierConfig): void {
  if (!cfg.conntrackTCPLiberal)
    filter.append(KUBE_FORWARD, ['-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']);
  const mark = cfg.masqueradeMark;
  filter.append(KUBE_FORWARD, [
    '-m',
    'comment',
    '--comment',
    'kubernetes forwarding rules',
    '-m',
    'mark',
    '--mark',
    `${mark}/${mark}`,
    '-j',
    'ACCEPT',
  ]);
  filter.append(KUBE_FORWARD, [
    '-m',
    'comment',
    '--comment',
    'kubernetes forwarding conntrack rule',
    '-m',
    'conntrack',
    '--ctstate',
    'RELATED,ESTABLISHED',
    '-j',
    'ACCEPT',
  ]);
}

/** The last rule of nat KUBE-SERVICES: traffic to a local address goes on to KUBE-NODEPORTS. */
export function writeNodePortsJump(nat: TableBuilder, cfg: ProxierConfig): void {
  const comment = [
    '-m',
    'comment',
    '--comment',
    'kubernetes service nodeports; NOTE: this must be the last rule in this chain',
  ];
  if (cfg.nodePortCidrs === null) {
    const dest = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
    // Localhost NodePorts never work on IPv6, and on IPv4 only with route_localnet.
    if (cfg.isIPv6) dest.push('!', '-d', '::1/128');
    else if (!cfg.localhostNodePorts) dest.push('!', '-d', '127.0.0.0/8');
    nat.append(KUBE_SERVICES, [...comment, ...dest, '-j', KUBE_NODEPORTS]);
    return;
  }
  // With --nodeport-addresses, one rule per local address inside those CIDRs (loopback included).
  const loopback = cfg.isIPv6 ? '::1' : '127.0.0.1';
  const addresses = [...cfg.nodeIPs.map((ip) => ip.text), loopback];
  for (const text of addresses) {
    if (!cfg.nodePortCidrs.some((c) => containsText(c, text))) continue;
    if (text === loopback && (cfg.isIPv6 || !cfg.localhostNodePorts)) continue;
    nat.append(KUBE_SERVICES, [...comment, '-d', text, '-j', KUBE_NODEPORTS]);
  }
}

function containsText(c: Cidr, text: string): boolean {
  const ip = parseIP(text);
  return ip !== null && cidrContains(c, ip);
}
