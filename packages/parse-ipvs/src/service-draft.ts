import type { IP } from '@svcpath/netaddr';
import { diagnostic, type Diagnostic, type Unparsed } from './diagnostic';
import { NO_SCHED_FLAGS } from './ipvs-fields';
import type { IpvsProtocol, Persistence, RateStats, RealServer, SchedFlags, TrafficStats, VirtualService } from './ipvs-types';
import { virtualServiceKey } from './ipvs-types';
import { joinSpans, lineAt, type SourceLine, type TextSource } from './source-text';

/** Reads one accepted real-server line again, for its owner; its diagnostics were reported already. */
export type ServerReader = (line: SourceLine, owner: ServiceDraft) => RealServer;

/** Real-server lines of one service, checked but not read yet. */
interface PendingServers {
  readonly source: TextSource;
  readonly read: ServerReader;
  /** `[start, end, line]` triples into `source`, in input order. */
  readonly at: number[];
}

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
  /** Real servers read so far, and their lines (the service's own line is {@link headLine}). */
  realServers: RealServer[];
  lines: SourceLine[];
  /**
   * Real-server lines already checked (diagnostics reported) but not read into objects yet, in
   * input order, after `realServers`. A dump of
   * 10,000 services × 10 servers is checked in one pass; a trace reads one service's servers.
   */
  pending: PendingServers | null;
  readonly source: TextSource;
  readonly start: number;
  readonly end: number;
  readonly lineNo: number;
  head: SourceLine | null;
}

type ServiceId = Pick<ServiceDraft, 'protocol' | 'family' | 'vip' | 'port' | 'fwmark'>;

/** A draft for the service on `line` (a line already cut out of the input). */
export function newDraft(line: SourceLine, id: ServiceId): ServiceDraft {
  const d = newDraftAt({ text: line.text, file: line.span.file }, line.span.start.offset, line.span.end.offset, line.line, id);
  d.head = line;
  return d;
}

/** A draft for the service on the line from `start` to `end` of `source`, not cut out yet. */
export function newDraftAt(source: TextSource, start: number, end: number, lineNo: number, id: ServiceId): ServiceDraft {
  return {
    protocol: id.protocol,
    family: id.family,
    vip: id.vip,
    port: id.port,
    fwmark: id.fwmark,
    scheduler: 'wlc', // ipvsadm's DEF_SCHED when -s is absent
    schedFlags: NO_SCHED_FLAGS,
    persistence: null,
    persistenceEngine: null,
    onePacket: false,
    unknownOptions: [],
    realServers: [],
    lines: [],
    pending: null,
    source,
    start,
    end,
    lineNo,
    head: null,
  };
}

/** The service's own line. */
export function headLine(d: ServiceDraft): SourceLine {
  return (d.head ??= lineAt(d.source, d.start, d.end, d.lineNo));
}

/** Notes a checked real-server line of `d`, read into a {@link RealServer} when first asked for. */
export function deferServer(d: ServiceDraft, source: TextSource, start: number, end: number, lineNo: number, read: ServerReader): void {
  if (d.pending && (d.pending.source !== source || d.pending.read !== read)) readPending(d);
  d.pending ??= { source, read, at: [] };
  d.pending.at.push(start, end, lineNo);
}

/** Reads the draft's pending real-server lines, in order, after those read already. */
export function readPending(d: ServiceDraft): void {
  const p = d.pending;
  if (!p) return;
  d.pending = null;
  for (let i = 0; i < p.at.length; i += 3) {
    const line = lineAt(p.source, p.at[i]!, p.at[i + 1]!, p.at[i + 2]!);
    d.realServers.push(p.read(line, d));
    d.lines.push(line);
  }
}

/** Adds a real server read at once (the -Ln reader), keeping input order with pending ones. */
export function addServerNow(d: ServiceDraft, rs: RealServer, line: SourceLine): void {
  readPending(d);
  d.realServers.push(rs);
  d.lines.push(line);
}

/**
 * The frozen {@link VirtualService}. Its real servers, raw lines and span are read when first
 * asked for (own enumerable getters, so spreading or serialising the object still sees them).
 */
export function freezeDraft(d: ServiceDraft): VirtualService {
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
    get realServers() {
      readPending(d);
      return d.realServers;
    },
    unknownOptions: d.unknownOptions,
    raw: d.head ? d.head.text : d.source.text.slice(d.start, d.end),
    get rawLines() {
      readPending(d);
      return [headLine(d).text, ...d.lines.map((l) => l.text)];
    },
    get span() {
      readPending(d);
      const head = headLine(d);
      return joinSpans(head.span, (d.lines[d.lines.length - 1] ?? head).span);
    },
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
  /** A real server whose weight or forwarding the listing does not print was read. */
  assumed = false;

  constructor(readonly source: TextSource) {}

  /** Adds `d`; true when it is the service its key now finds (false: a duplicate, kept but not found). */
  add(d: ServiceDraft, key = virtualServiceKey(d)): boolean {
    this.drafts.push(d);
    if (this.byKey.has(key)) {
      this.diagnostics.push(
        diagnostic('IPVS_DUPLICATE_SERVICE', `virtual service ${key} appears twice; both kept`, headLine(d).span, 'warning'),
      );
      return false;
    }
    this.byKey.set(key, d);
    return true;
  }

  reject(line: SourceLine, code: Diagnostic['code'], message: string): void {
    this.diagnostics.push(diagnostic(code, message, line.span));
    this.unparsed.push({ kind: 'unparsed', raw: line.text, span: line.span, reason: code });
  }

  warn(line: SourceLine, code: Diagnostic['code'], message: string): void {
    this.diagnostics.push(diagnostic(code, message, line.span, 'warning'));
  }
}
