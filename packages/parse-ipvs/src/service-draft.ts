import type { IP } from '@svcpath/netaddr';
import type { Diagnostic, Unparsed } from './diagnostic';
import { diagnostic } from './diagnostic';
import { NO_SCHED_FLAGS } from './ipvs-fields';
import type { IpvsProtocol, Persistence, RateStats, RealServer, SchedFlags, TrafficStats, VirtualService } from './ipvs-types';
import { virtualServiceKey } from './ipvs-types';
import type { SourceLine } from './source-text';
import { joinSpans } from './source-text';

/** A virtual service while its lines are being read; frozen into a {@link VirtualService} at the end. */
export interface ServiceDraft {
  protocol: IpvsProtocol | null;
  family: 4 | 6;
  vip: IP | null;
  port: number | null;
  fwmark: number | null;
  scheduler: string;
  schedFlags: SchedFlags;
  persistence: Persistence | null;
  persistenceEngine: string | null;
  onePacket: boolean;
  stats?: TrafficStats;
  rate?: RateStats;
  unknownOptions: string[];
  realServers: RealServer[];
  line: SourceLine;
  lines: SourceLine[];
}

export function newDraft(line: SourceLine, id: Pick<ServiceDraft, 'protocol' | 'family' | 'vip' | 'port' | 'fwmark'>): ServiceDraft {
  return {
    ...id,
    scheduler: 'wlc', // ipvsadm's DEF_SCHED when -s is absent
    schedFlags: NO_SCHED_FLAGS,
    persistence: null,
    persistenceEngine: null,
    onePacket: false,
    unknownOptions: [],
    realServers: [],
    line,
    lines: [line],
  };
}

export function freezeDraft(d: ServiceDraft): VirtualService {
  const last = d.lines[d.lines.length - 1] ?? d.line;
  const vs: VirtualService = {
    kind: 'virtual-service',
    protocol: d.protocol,
    family: d.family,
    vip: d.vip,
    port: d.port,
    fwmark: d.fwmark,
    scheduler: d.scheduler,
    schedFlags: d.schedFlags,
    persistence: d.persistence,
    persistenceEngine: d.persistenceEngine,
    onePacket: d.onePacket,
    realServers: d.realServers,
    unknownOptions: d.unknownOptions,
    raw: d.line.text,
    rawLines: d.lines.map((l) => l.text),
    span: joinSpans(d.line.span, last.span),
    ...(d.stats ? { stats: d.stats } : {}),
    ...(d.rate ? { rate: d.rate } : {}),
  };
  return vs;
}

/** Collects drafts by kernel identity, reporting duplicates; shared by the -Sn and -Ln readers. */
export class ServiceTable {
  readonly drafts: ServiceDraft[] = [];
  readonly byKey = new Map<string, ServiceDraft>();
  readonly diagnostics: Diagnostic[] = [];
  readonly unparsed: Unparsed[] = [];

  add(d: ServiceDraft): void {
    const key = virtualServiceKey(d);
    if (this.byKey.has(key)) {
      this.diagnostics.push(
        diagnostic('IPVS_DUPLICATE_SERVICE', `virtual service ${key} appears twice; both kept`, d.line.span, 'warning'),
      );
    } else {
      this.byKey.set(key, d);
    }
    this.drafts.push(d);
  }

  reject(line: SourceLine, code: Diagnostic['code'], message: string): void {
    this.diagnostics.push(diagnostic(code, message, line.span));
    this.unparsed.push({ kind: 'unparsed', raw: line.text, span: line.span, reason: code });
  }

  warn(line: SourceLine, code: Diagnostic['code'], message: string): void {
    this.diagnostics.push(diagnostic(code, message, line.span, 'warning'));
  }
}
