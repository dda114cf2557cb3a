/** Why a flow's outcome changes when kube-proxy changes mode. */
export type MigrationCause = 'localhost-nodeports' | 'nodeport-addresses' | 'clusterip-wrong-port' | 'masquerade' | 'drift' | 'other';

/** What a cause means, and where kube-proxy documents it. */
export interface CauseInfo {
  readonly title: string;
  readonly explanation: string;
  /** The kube-proxy option that governs it, when there is one. */
  readonly option: string | null;
  readonly reference: string;
}

const MIGRATING = 'https://kubernetes.io/docs/reference/networking/virtual-ips/#migrating-from-iptables-mode-to-nftables';
const NFT_PROXIER = 'https://github.com/kubernetes/kubernetes/blob/master/pkg/proxy/nftables/proxier.go';

/** The explanation of a cause for a migration to `to` (the differences read the other way round going back). */
export function causeInfo(cause: MigrationCause, to: 'nftables' | 'iptables'): CauseInfo {
  const toNft = to === 'nftables';
  switch (cause) {
    case 'localhost-nodeports':
      return {
        title: toNft ? 'NodePorts no longer answer on 127.0.0.1' : 'NodePorts start answering on 127.0.0.1',
        explanation: toNft
          ? 'The nftables mode does not accept NodePort connections to 127.0.0.1 (the iptables mode does, by setting route_localnet). Clients on the node must use the node\'s own IP.'
          : 'The iptables mode accepts NodePort connections to 127.0.0.1 (it sets net.ipv4.conf.all.route_localnet=1), unless --iptables-localhost-nodeports=false.',
        option: '--iptables-localhost-nodeports (iptables mode only)',
        reference: MIGRATING,
      };
    case 'nodeport-addresses':
      return {
        title: toNft ? 'NodePorts answer only on the node\'s primary IP' : 'NodePorts answer on every local address',
        explanation: toNft
          ? 'In nftables mode --nodeport-addresses defaults to "primary": only the node\'s primary IP (the nodeport-ips set) accepts NodePort traffic. The iptables mode\'s default is every local address. Set --nodeport-addresses to the CIDRs that should keep answering.'
          : 'In iptables mode --nodeport-addresses defaults to every local address; nftables mode answered on the primary IP only.',
        option: '--nodeport-addresses',
        reference: MIGRATING,
      };
    case 'clusterip-wrong-port':
      return {
        title: toNft ? 'A ClusterIP on a port the Service does not define is rejected' : 'A ClusterIP on a port the Service does not define is no longer rejected',
        explanation: toNft
          ? 'nftables mode checks new connections to a ClusterIP (cluster-ips-check, "Reject traffic to invalid ports of ClusterIPs") and rejects those to an undefined port at once; the iptables mode leaves them alone, so they are routed like any packet to that address (usually out of the node, until they time out).'
          : 'The iptables mode does not reject connections to a ClusterIP on an undefined port: they are routed like any packet to that address, and usually time out instead of being refused.',
        option: null,
        reference: NFT_PROXIER,
      };
    case 'masquerade':
      return {
        title: 'The masquerade decision differs',
        explanation: 'The modes decide differently whether to masquerade this flow; check --cluster-cidr / --detect-local-mode and --masquerade-all, which both modes honour.',
        option: '--masquerade-all, --detect-local-mode',
        reference: MIGRATING,
      };
    case 'drift':
      return {
        title: 'The node\'s rules are not what kube-proxy would program now',
        explanation: 'Rendering the cluster state in the node\'s current mode gives a different outcome than the node\'s rules: kube-proxy on this node is stale or the rules were changed by hand. This change happens with any restart of kube-proxy, whatever the mode; run svcpath doctor first.',
        option: null,
        reference: 'docs/doctor.md',
      };
    case 'other':
      return {
        title: 'Outcome differs for another reason',
        explanation: 'No known mode difference explains this; compare the rule lines on both sides.',
        option: null,
        reference: MIGRATING,
      };
    default: {
      const never: never = cause;
      return never;
    }
  }
}
