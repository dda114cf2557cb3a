/**
 * The lab's network, as data: which namespaces, links, addresses, routes and sysctls to create.
 * Pure — {@link planTopology} only writes the plan; `lab.ts` carries it out.
 *
 * ```
 *   C (clients)                 N (node: rules under test)                  P (endpoints)
 *   to-node ───────────────── to-clients            to-pods ─────────────── to-node
 *   169.254.1.2 (scope link)  169.254.1.1 (link)     169.254.2.1 (link)     169.254.2.2 (link)
 *   + clientIPs/32                                   + nodeIPs[0]/32        + endpoint IPs/32
 *                             lo: nodeIPs[1..]/32
 * ```
 */
import type { LabSpec } from './lab-types';

/** Network namespace names of one lab. */
export interface LabNames {
  client: string;
  node: string;
  pods: string;
}

/** Interface names inside the namespaces (names are per namespace, so they can be fixed). */
export const LINKS = {
  clientToNode: 'to-node',
  nodeToClients: 'to-clients',
  nodeToPods: 'to-pods',
  podsToNode: 'to-node',
} as const;

/** Link-local next hops. Routes through them are `onlink`, so no subnet needs to cover them. */
export const NEXT_HOPS = {
  client: '169.254.1.2',
  nodeClientSide: '169.254.1.1',
  nodePodSide: '169.254.2.1',
  pods: '169.254.2.2',
} as const;

/** What to do in one namespace. */
export interface NamespacePlan {
  ns: string;
  /** Lines for `ip -n <ns> -batch -`. */
  ip: string[];
  /** `key=value` arguments for `sysctl -w`. */
  sysctls: string[];
}

/** The whole lab network. */
export interface TopologyPlan {
  /** Lines for `ip -batch -` in the root namespace: the namespaces and the veth pairs. */
  root: string[];
  client: NamespacePlan;
  node: NamespacePlan;
  pods: NamespacePlan;
  /**
   * nftables ruleset for C's ingress: answers packets N forwarded untranslated (see
   * {@link FORWARDED_ICMP_CODE}), and turns ICMP net/host unreachable into net/host prohibited so
   * UDP clients see them too (same errno; Linux reports only "hard" ICMP errors to UDP sockets).
   */
  clientNft: string;
}

/**
 * ICMP destination-unreachable code C answers forwarded packets with: 8, "source host isolated".
 * Nothing in kube-proxy's rules (nor iptables' or nft's named REJECT types) sends it, and Linux
 * reports it to both TCP and connected UDP sockets as ENONET, so a probe can tell "left the node
 * untranslated" apart from every REJECT, and from a DROP, at once and per connection.
 */
export const FORWARDED_ICMP_CODE = 8;
/** The errno a client sees for {@link FORWARDED_ICMP_CODE}. */
export const FORWARDED_ERRNO = 'ENONET';

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/**
 * rp_filter off everywhere (the effective value is the max of `all` and the device's), and no ICMP
 * rate limiting: REJECT answers with ICMP errors and at test speed most of them would be
 * rate-limited away (`icmp_ratemask=0` also exempts them from the per-namespace global limit).
 */
function commonSysctls(devices: readonly string[]): string[] {
  return [
    'net.ipv4.icmp_ratelimit=0',
    'net.ipv4.icmp_ratemask=0',
    ...['all', 'default', 'lo', ...devices].map((d) => `net.ipv4.conf.${d}.rp_filter=0`),
  ];
}

/** Plans the three namespaces and two veth pairs for `spec`. */
export function planTopology(spec: LabSpec, names: LabNames): TopologyPlan {
  const [primaryNodeIP, ...otherNodeIPs] = spec.nodeIPs;
  if (primaryNodeIP === undefined) throw new Error('planTopology: nodeIPs is empty');
  const clientIPs = unique(spec.clientIPs);
  const endpointIPs = unique(spec.endpoints.map((e) => e.ip));
  const { clientToNode, nodeToClients, nodeToPods, podsToNode } = LINKS;

  const root = [
    `netns add ${names.client}`,
    `netns add ${names.node}`,
    `netns add ${names.pods}`,
    `link add ${clientToNode} netns ${names.client} type veth peer name ${nodeToClients} netns ${names.node}`,
    `link add ${nodeToPods} netns ${names.node} type veth peer name ${podsToNode} netns ${names.pods}`,
  ];

  const client: NamespacePlan = {
    ns: names.client,
    ip: [
      'link set lo up',
      `link set ${clientToNode} up`,
      `address add ${NEXT_HOPS.client}/32 dev ${clientToNode} scope link`,
      ...clientIPs.map((ip) => `address add ${ip}/32 dev ${clientToNode}`),
      `route add default via ${NEXT_HOPS.nodeClientSide} dev ${clientToNode} onlink`,
    ],
    // C must not forward: what N sends it for someone else ends there (answered by clientNft).
    sysctls: ['net.ipv4.ip_forward=0', ...commonSysctls([clientToNode])],
  };

  const node: NamespacePlan = {
    ns: names.node,
    ip: [
      'link set lo up',
      `link set ${nodeToClients} up`,
      `link set ${nodeToPods} up`,
      // The node IP first and the next hop with scope link: MASQUERADE picks the first primary
      // address of universe scope on the outgoing link, which must be the node IP.
      `address add ${primaryNodeIP}/32 dev ${nodeToPods}`,
      `address add ${NEXT_HOPS.nodePodSide}/32 dev ${nodeToPods} scope link`,
      `address add ${NEXT_HOPS.nodeClientSide}/32 dev ${nodeToClients} scope link`,
      ...otherNodeIPs.map((ip) => `address add ${ip}/32 dev lo`),
      `route add default via ${NEXT_HOPS.client} dev ${nodeToClients} onlink`,
      ...clientIPs.map((ip) => `route add ${ip}/32 via ${NEXT_HOPS.client} dev ${nodeToClients} onlink`),
      ...endpointIPs.map((ip) => `route add ${ip}/32 via ${NEXT_HOPS.pods} dev ${nodeToPods} onlink`),
    ],
    sysctls: [
      'net.ipv4.ip_forward=1',
      // A packet forwarded back out of the link it came in on would otherwise trigger redirects.
      'net.ipv4.conf.all.send_redirects=0',
      `net.ipv4.conf.${nodeToClients}.send_redirects=0`,
      ...commonSysctls([nodeToClients, nodeToPods]),
    ],
  };

  const pods: NamespacePlan = {
    ns: names.pods,
    ip: [
      'link set lo up',
      `link set ${podsToNode} up`,
      `address add ${NEXT_HOPS.pods}/32 dev ${podsToNode} scope link`,
      ...endpointIPs.map((ip) => `address add ${ip}/32 dev ${podsToNode}`),
      `route add default via ${NEXT_HOPS.nodePodSide} dev ${podsToNode} onlink`,
    ],
    sysctls: ['net.ipv4.ip_forward=0', ...commonSysctls([podsToNode])],
  };

  const owned = [NEXT_HOPS.client, ...clientIPs].join(', ');
  const clientNft = [
    '# A unicast packet reaching C for an address C does not own was routed out of N untranslated.',
    '# Answer it with an ICMP code nothing else uses, so the client learns "forwarded" at once.',
    'table netdev svcpath_lab {',
    '  chain forwarded {',
    `    type filter hook ingress device "${clientToNode}" priority 0; policy accept;`,
    `    meta pkttype host ip daddr != { ${owned} } counter reject with icmp ${FORWARDED_ICMP_CODE}`,
    '    # Linux reports ICMP net/host unreachable (non-fatal codes) to UDP sockets only with',
    '    # IP_RECVERR, which Node cannot set; their "prohibited" twins carry the same errno to TCP and UDP.',
    '    icmp type destination-unreachable icmp code net-unreachable counter icmp code set net-prohibited',
    '    icmp type destination-unreachable icmp code host-unreachable counter icmp code set host-prohibited',
    '  }',
    '}',
    '',
  ].join('\n');

  return { root, client, node, pods, clientNft };
}
