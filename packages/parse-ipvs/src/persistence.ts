import { cidrOf, type IP } from '@svcpath/netaddr';
import type { VirtualService } from './ipvs-types';
import { scheduleNewConnection } from './schedule';
import { share, type NewConnection, type ScheduleOptions, type ScheduleOutcome } from './schedule-types';

/** A persistence template the caller knows of (from `ipvsadm -Lnc` or an earlier trace step). */
export interface AffinityTemplate {
  readonly key: string;
  readonly address: IP;
  readonly port: number;
}

export interface PersistenceOptions extends ScheduleOptions {
  /**
   * net/ipv4/vs/expire_quiescent_template: when 1, a template pointing at a weight-0 server is
   * dropped and the client rescheduled. Kernel default 0; kube-proxy's IPVS proxier sets 1,
   * so the default here is true.
   */
  readonly expireQuiescentTemplate?: boolean;
}

/**
 * The persistence template key for a client, as ip_vs_core.c ip_vs_sched_persist builds it: the
 * client address masked with the service netmask, plus the virtual service (protocol, VIP, port;
 * for fwmark services the mark). null when the service is not persistent.
 */
export function persistenceKey(vs: Pick<VirtualService, 'persistence' | 'protocol' | 'vip' | 'port' | 'fwmark'>, client: IP): string | null {
  if (!vs.persistence) return null;
  const snet = cidrOf(client, Math.min(vs.persistence.prefix, client.family === 4 ? 32 : 128)).text;
  if (vs.fwmark !== null) return `fwm:${vs.fwmark}|${snet}`;
  return `${vs.protocol}|${snet}|${vs.vip?.text}|${vs.port}`;
}

/**
 * A new connection on a possibly-persistent service: a returning client with a live template goes
 * to the same real server (ip_vs_sched_persist + ip_vs_check_template: the template is kept unless
 * its server was removed, or has weight 0 with expire_quiescent_template); otherwise the scheduler
 * decides and the kernel creates a template for `persistence.timeout` seconds.
 */
export function scheduleWithPersistence(
  vs: VirtualService,
  conn: NewConnection,
  templates: readonly AffinityTemplate[],
  opts: PersistenceOptions = {},
): ScheduleOutcome {
  const key = persistenceKey(vs, conn.client);
  if (key === null) return scheduleNewConnection(vs, conn, opts);
  const source = 'net/netfilter/ipvs/ip_vs_core.c ip_vs_sched_persist; ip_vs_conn.c ip_vs_check_template';
  if (vs.persistenceEngine) {
    const o = scheduleNewConnection(vs, conn, opts);
    return { ...o, basis: `Persistence engine "${vs.persistenceEngine}" adds its own data (e.g. SIP Call-ID) to the template key, which is not modelled. ${o.basis}` };
  }
  const t = templates.find((x) => x.key === key);
  const expire = opts.expireQuiescentTemplate ?? true;
  const i = t ? vs.realServers.findIndex((rs) => rs.address.text === t.address.text && rs.port === t.port) : -1;
  const rs = vs.realServers[i];
  if (t && rs && !(expire && rs.weight === 0)) {
    const s = share(rs, i, 1);
    return {
      kind: 'chosen',
      realServer: s,
      shares: [s],
      estimate: false,
      basis: `Persistence: template ${key} (client masked to /${vs.persistence!.prefix}) sends this returning client to the same real server for ${vs.persistence!.timeout}s after its last connection; weight and overload are not re-checked.`,
      source,
    };
  }
  const why = !t
    ? `No persistence template for ${key}`
    : !rs
      ? `The template for ${key} points at a real server no longer in the service, so it is invalid`
      : `The template for ${key} points at a weight-0 server and expire_quiescent_template=1 drops it`;
  const o = scheduleNewConnection(vs, conn, opts);
  return { ...o, basis: `${why}; the scheduler decides and a template lives ${vs.persistence!.timeout}s. ${o.basis}`, source: `${source}; ${o.source}` };
}
