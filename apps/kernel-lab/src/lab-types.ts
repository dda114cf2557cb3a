/**
 * The kernel lab's public vocabulary: what a lab is built from ({@link LabSpec}), what a probe asks
 * ({@link ProbeRequest}) and what the kernel answered ({@link ProbeResult}).
 */

/** Transport protocols a probe can use (kube-proxy's TCP and UDP; SCTP is not probed). */
export type LabProto = 'tcp' | 'udp';

/** One listening socket: an address, a port and a protocol. */
export interface LabListener {
  ip: string;
  port: number;
  proto: LabProto;
}

/** What a lab is built from. Every address is dotted-quad IPv4. */
export interface LabSpec {
  /**
   * Node addresses. The first goes on N's link towards P, so MASQUERADE picks it as the source of
   * packets leaving towards endpoints; the others go on N's `lo`.
   */
  nodeIPs: string[];
  /** Source addresses clients in C may use (Pods on other nodes, external hosts). */
  clientIPs: string[];
  /** Listeners in P: the ServiceEndpoints DNAT sends packets to. Their IPs are added to P. */
  endpoints: LabListener[];
  /**
   * Listeners inside N itself (hostNetwork endpoints, health-check ports). The IP must be one of
   * `nodeIPs`, a 127/8 address or `0.0.0.0` (any local address).
   */
  nodeListeners?: LabListener[];
}

/** One probe: `tries` real connections from `src` to `dst:dport`. */
export interface ProbeRequest {
  /** Source address: one of the lab's `clientIPs`, or of its `nodeIPs` when `fromNode`. */
  src: string;
  dst: string;
  dport: number;
  proto: LabProto;
  /** Open the connections from inside N, so they take the OUTPUT hook instead of PREROUTING. */
  fromNode?: boolean;
  tries: number;
  /** How long to wait for an answer before calling a try a DROP. Default 400 ms. */
  timeoutMs?: number;
  /** Clear every `recent` list in N before each try, so each try is a first connection. */
  clearRecentEachTry?: boolean;
  /** Flush N's conntrack table before each try. */
  flushConntrackEachTry?: boolean;
  /**
   * Tries are started one after another; the next one starts when the previous one has settled or
   * after this many milliseconds, whichever comes first, so a run of DROPs costs one timeout rather
   * than one per try. The kernel has long finished with a SYN after a few milliseconds, so affinity
   * (`recent`) still sees the tries in order. Default 5. Ignored (tries run strictly one at a time)
   * when `clearRecentEachTry` or `flushConntrackEachTry` is set.
   */
  staggerMs?: number;
}

/** What happened to one try. */
export type ProbeResult =
  | {
      kind: 'delivered';
      /** `ip:port` of the listener that was reached (the DNAT target, or the untranslated destination). */
      endpoint: string;
      /** Source address the listener saw: the client's own, or a node IP after MASQUERADE/SNAT. */
      peer: string;
      /** Whether the listener was an endpoint in P or a listener in N. */
      where: 'pod' | 'node';
    }
  /** ECONNREFUSED: ICMP port unreachable (REJECT's default) or a TCP reset. */
  | { kind: 'refused' }
  /** Another ICMP error: EHOSTUNREACH (host unreachable/prohibited, admin prohibited), ENETUNREACH ... */
  | { kind: 'unreachable'; code: string }
  /** The packet left the node untranslated towards C (routed out by N's default route). */
  | { kind: 'forwarded' }
  /** Nothing came back within the timeout: a DROP. */
  | { kind: 'timeout' };

/** A running lab: three network namespaces and an agent process in each. */
export interface Lab {
  /** Network namespace names, unique per lab (`svcpath-lab-[name-]<random>-c|n|p`). */
  readonly names: { client: string; node: string; pods: string };
  /** `iptables-restore` (IPv4) into N. Throws a {@link CommandFailedError} carrying stderr. */
  restoreIptables(dump: string): Promise<void>;
  /** `nft -f -` into N. Throws a {@link CommandFailedError} carrying stderr. */
  restoreNft(ruleset: string): Promise<void>;
  /** `iptables-save -c` in N: the current IPv4 rules with their packet/byte counters. */
  saveIptables(): Promise<string>;
  /** Clears every `/proc/net/xt_recent/*` list in N (affinity state). */
  clearRecent(): Promise<void>;
  /** Deletes every conntrack entry in N. */
  flushConntrack(): Promise<void>;
  /** Opens `tries` real connections and reports what happened to each, in order. */
  probe(req: ProbeRequest): Promise<ProbeResult[]>;
  /** Stops the agents and deletes the namespaces. Idempotent; never throws. */
  destroy(): Promise<void>;
}
