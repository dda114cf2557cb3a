import type { IP } from '@svcpath/netaddr';
import type { IpvsProtocol, RealServer, VirtualService } from './ipvs-types';

/** The first packet of a new connection, as the scheduler sees it. */
export interface NewConnection {
  readonly client: IP;
  /** Needed by sh/mh with the port flag. */
  readonly clientPort?: number;
  /** The packet's destination address (the VIP, or for fwmark services the real one); needed by dh. */
  readonly destination?: IP;
  readonly protocol?: IpvsProtocol;
}

/** One real server's chance of getting the new connection. */
export interface RealServerShare {
  /** Index into `virtualService.realServers`. */
  readonly index: number;
  readonly address: string;
  readonly port: number;
  readonly probability: number;
}

interface OutcomeBase {
  /** Plain words: why this answer, and what it assumed. */
  readonly basis: string;
  /** Kernel file and function the rule mirrors. */
  readonly source: string;
}

/**
 * What the scheduler does with a new connection. `shares` sum to 1 except for no-destination.
 * `estimate` marks answers that depend on state the dump does not show (live load, rr position).
 */
export type ScheduleOutcome =
  | (OutcomeBase & { readonly kind: 'chosen'; readonly realServer: RealServerShare; readonly shares: readonly RealServerShare[]; readonly estimate: false })
  | (OutcomeBase & { readonly kind: 'distribution'; readonly shares: readonly RealServerShare[]; readonly estimate: boolean })
  | (OutcomeBase & {
      readonly kind: 'no-destination';
      readonly shares: readonly RealServerShare[];
      /** ip_vs_leave(): the packet is dropped and ICMP(v6) port unreachable sent to the client. */
      readonly kernelAction: 'drop-icmp-port-unreachable';
      readonly estimate: false;
    });

export interface ScheduleOptions {
  /**
   * sh/dh bucket hash. `hash_32` (kernel ≥ 4.18, default) or `legacy` (x * 2654435761 & 255,
   * kernels before commit 9a17740e0ea1).
   */
  readonly kernelHash?: 'hash_32' | 'legacy';
  /** mh lookup-table size: a prime from ip_vs_mh.c's list; 4093 is CONFIG_IP_VS_MH_TAB_INDEX=12. */
  readonly mhTableSize?: number;
  /**
   * mh builds its table from each server's last non-zero weight (dest->last_weight), which the
   * dump does not show for weight-0 servers. Give it per index; default: weight, or 1 if weight 0.
   */
  readonly mhLastWeights?: readonly (number | undefined)[];
}

export type SchedulerInput = Pick<VirtualService, 'scheduler' | 'schedFlags' | 'realServers' | 'family'>;

export function share(rs: RealServer, index: number, probability: number): RealServerShare {
  return { index, address: rs.address.text, port: rs.port, probability };
}

export function chosen(vs: SchedulerInput, index: number, basis: string, source: string): ScheduleOutcome {
  const s = share(vs.realServers[index]!, index, 1);
  return { kind: 'chosen', realServer: s, shares: [s], estimate: false, basis, source };
}

export function noDestination(basis: string, source: string): ScheduleOutcome {
  return {
    kind: 'no-destination',
    shares: [],
    kernelAction: 'drop-icmp-port-unreachable',
    estimate: false,
    basis: `${basis} The kernel drops the packet and answers ICMP port unreachable (ip_vs_leave; ICMP packets themselves are dropped silently).`,
    source: `${source}; net/netfilter/ipvs/ip_vs_core.c ip_vs_leave`,
  };
}

/** Shares proportional to `weightOf` over the given indexes. Empty when nothing has weight. */
export function proportional(vs: SchedulerInput, indexes: readonly number[], weightOf: (rs: RealServer) => number): RealServerShare[] {
  const total = indexes.reduce((t, i) => t + weightOf(vs.realServers[i]!), 0);
  if (total <= 0) return [];
  return indexes.map((i) => share(vs.realServers[i]!, i, weightOf(vs.realServers[i]!) / total));
}
