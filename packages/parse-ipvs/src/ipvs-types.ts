import type { IP } from '@svcpath/netaddr';
import type { Diagnostic, Unparsed } from './diagnostic';
import type { Span } from './source-text';

/** Virtual-service protocol as ipvsadm names it; fwmark services have none. */
export type IpvsProtocol = 'tcp' | 'udp' | 'sctp';

/** Packet-forwarding method of a real server (ipvsadm -m / -g / -i; "Local" is a local real server). */
export type ForwardMethod = 'masq' | 'route' | 'tunnel' | 'local';

/** ipvsadm --stats columns. Values with a K/M/G/T suffix are truncated by ipvsadm: `approximate`. */
export interface TrafficStats {
  readonly conns: number;
  readonly inPkts: number;
  readonly outPkts: number;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly approximate: boolean;
}

/** ipvsadm --rate columns. */
export interface RateStats {
  readonly cps: number;
  readonly inPps: number;
  readonly outPps: number;
  readonly inBps: number;
  readonly outBps: number;
  readonly approximate: boolean;
}

/** IPVS tunnel options (ipvsadm 1.30+: --tun-type ipip|gue|gre, --tun-port, checksum flags). */
export interface TunnelOptions {
  readonly type: string;
  readonly port?: number;
  readonly checksum?: string;
}

/** A real server (kernel: ip_vs_dest) behind a virtual service. */
export interface RealServer {
  readonly kind: 'real-server';
  readonly address: IP;
  readonly port: number;
  readonly forward: ForwardMethod;
  readonly weight: number;
  /** -x: the kernel marks the server overloaded once active+inactive ≥ this (0 = off). */
  readonly upperThreshold?: number;
  /** -y: overload clears below this (0 = ¾ of the upper threshold). */
  readonly lowerThreshold?: number;
  readonly activeConns?: number;
  readonly inactiveConns?: number;
  readonly persistConns?: number;
  readonly stats?: TrafficStats;
  readonly rate?: RateStats;
  readonly tunnel?: TunnelOptions;
  /** Fields this listing does not print (e.g. weight under `-Ln --stats`), filled with defaults. */
  readonly assumed?: readonly ('weight' | 'forward')[];
  /** Option tokens on the line that were not understood (also reported as diagnostics). */
  readonly unknownOptions: readonly string[];
  readonly raw: string;
  readonly span: Span;
}

/** Persistence (ipvsadm -p / -M): a client's connections stick to one real server. */
export interface Persistence {
  /** Seconds a persistence template outlives the client's last connection. */
  readonly timeout: number;
  /** The granularity mask as printed (`255.255.255.0`, or a prefix length for IPv6). */
  readonly netmask: string;
  /** The mask as a prefix length (32 / 128 when no -M was given). */
  readonly prefix: number;
}

/** Scheduler flags (-b / --sched-flags); the kernel maps flag-1/2 to sh/mh fallback/port. */
export interface SchedFlags {
  /** Names as printed, e.g. `sh-fallback`, `sh-port`, `flag-3`. */
  readonly names: readonly string[];
  readonly fallback: boolean;
  readonly port: boolean;
  readonly flag3: boolean;
}

/** A virtual service (kernel: ip_vs_service): one VIP:port (or fwmark) and its real servers. */
export interface VirtualService {
  readonly kind: 'virtual-service';
  /** null for fwmark services, which match any protocol. */
  readonly protocol: IpvsProtocol | null;
  readonly family: 4 | 6;
  /** null for fwmark services. */
  readonly vip: IP | null;
  /** null for fwmark services; 0 means "all ports" (persistent port-zero services). */
  readonly port: number | null;
  readonly fwmark: number | null;
  readonly scheduler: string;
  readonly schedFlags: SchedFlags;
  readonly persistence: Persistence | null;
  /** Persistence engine (--pe), e.g. `sip`. */
  readonly persistenceEngine: string | null;
  /** One-packet scheduling (ops / -o): every UDP datagram is scheduled on its own. */
  readonly onePacket: boolean;
  /** Real servers in the order the dump lists them (see README: ipvsadm sorts unless --nosort). */
  readonly realServers: readonly RealServer[];
  readonly stats?: TrafficStats;
  readonly rate?: RateStats;
  readonly unknownOptions: readonly string[];
  /** The service's own line. */
  readonly raw: string;
  /** The service line and all its real-server lines, in input order. */
  readonly rawLines: readonly string[];
  /** From the service line to its last real-server line. */
  readonly span: Span;
}

/** Which ipvsadm output a dump was. */
export type IpvsadmFormat = 'save' | 'list' | 'empty';

/** `ipvsadm -Ln` column variant, from its title line. */
export type ListVariant = 'plain' | 'stats' | 'rate' | 'thresholds' | 'persistent-conn';

export interface IpvsadmParseResult {
  readonly format: IpvsadmFormat;
  readonly listVariant: ListVariant | null;
  /** From `IP Virtual Server version 1.2.1 (size=4096)`, when present. */
  readonly version: { readonly text: string; readonly tableSize: number | null } | null;
  readonly virtualServices: readonly VirtualService[];
  readonly unparsed: readonly Unparsed[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Identity of a virtual service as the kernel keys it: protocol+VIP+port, or fwmark+family. */
export function virtualServiceKey(vs: Pick<VirtualService, 'protocol' | 'vip' | 'port' | 'fwmark' | 'family'>): string {
  if (vs.fwmark !== null) return `fwm|${vs.family}|${vs.fwmark}`;
  return `${vs.protocol ?? '?'}|${vs.vip?.text ?? '?'}|${vs.port ?? '?'}`;
}
