import type { IP } from '@svcpath/netaddr';
import { diagnostic, type Diagnostic, type Unparsed } from './diagnostic';
import { NO_SCHED_FLAGS } from './ipvs-fields';
import type { IpvsProtocol, Persistence, RateStats, RealServer, SchedFlags, TrafficStats, VirtualService } from './ipvs-types';
import { virtualServiceKey } from './ipvs-types';
import { joinSpans, lineAt, lineEnd, type SourceLine, type Span, type TextSource } from './source-text';

/** Reads one accepted real-server line again, for its owner; its diagnostics were reported already. */
export type ServerReader = (line: SourceLine, owner: ServiceDraft) => RealServer;

/**
 * Real-server lines of one input, checked (their diagnostics reported) but not read into objects
 * yet: `[start, line]` pairs into the text, shared by all services so 100,000 lines cost no object
 * each. A service's lines are one run of pairs.
 */
export class PendingServers {
  readonly at: number[] = [];
  constructor(
    readonly source: TextSource,
    readonly read: ServerReader,
  ) {}
}

type ServiceId = Pick<VirtualService, 'protocol' | 'family' | 'vip' | 'port' | 'fwmark'>;

/**
 * A virtual service while its lines are read, and the {@link VirtualService} handed out after.
 * `realServers`, `rawLines` and `span` are read from the pending lines when first asked for
 * (getters on the class, like parse-iptables' LazyRule: spreading the object copies only the
 * fields read at once; `toJSON` gives every field, in the order a plain object had them).
 */
export class ServiceDraft implements VirtualService {
  readonly kind = 'virtual-service';
  protocol: IpvsProtocol | null;
  family: 4 | 6;
  vip: IP | null;
  port: number | null;
  fwmark: number | null;
  scheduler = 'wlc'; // ipvsadm's DEF_SCHED when -s is absent
  schedFlags: SchedFlags = NO_SCHED_FLAGS;
  persistence: Persistence | null = null;
  persistenceEngine: string | null = null;
  onePacket = false;
  unknownOptions: string[] = [];
  readonly raw: string;
  declare stats?: TrafficStats;
  declare rate?: RateStats;

  /** Real servers read so far, and their lines; pending ones follow them. */
  #servers: RealServer[] = [];
  #lines: SourceLine[] = [];
  #pending: PendingServers | null = null;
  #from = 0;
  #to = 0;
  readonly #source: TextSource;
  readonly #start: number;
  readonly #end: number;
  readonly #line: number;
  #head: SourceLine | null;

  /** The service on the line from `start` to `end` of `source` (`head`: that line, if already cut out). */
  constructor(source: TextSource, start: number, end: number, line: number, id: ServiceId, head: SourceLine | null = null) {
    this.protocol = id.protocol;
    this.family = id.family;
    this.vip = id.vip;
    this.port = id.port;
    this.fwmark = id.fwmark;
    this.raw = head ? head.text : source.text.slice(start, end);
    this.#source = source;
    this.#start = start;
    this.#end = end;
    this.#line = line;
    this.#head = head;
  }

  /** The service on an already cut-out line of `source`. */
  static ofLine(source: TextSource, line: SourceLine, id: ServiceId): ServiceDraft {
    return new ServiceDraft(source, line.span.start.offset, line.span.end.offset, line.line, id, line);
  }

  get realServers(): readonly RealServer[] {
    this.#readPending();
    return this.#servers;
  }

  get rawLines(): readonly string[] {
    this.#readPending();
    return [this.headLine().text, ...this.#lines.map((l) => l.text)];
  }

  get span(): Span {
    this.#readPending();
    const head = this.headLine();
    return joinSpans(head.span, (this.#lines[this.#lines.length - 1] ?? head).span);
  }

  /** The service's own line. */
  headLine(): SourceLine {
    return (this.#head ??= lineAt(this.#source, this.#start, this.#end, this.#line));
  }

  /** Notes a checked real-server line starting at `start`, read into a {@link RealServer} when first asked for. */
  defer(pending: PendingServers, start: number, line: number): void {
    // A service's pending lines are one run; a line after other services' lines ends the run.
    if (this.#pending && (this.#pending !== pending || this.#to !== pending.at.length)) this.#readPending();
    if (!this.#pending) {
      this.#pending = pending;
      this.#from = this.#to = pending.at.length;
    }
    pending.at.push(start, line);
    this.#to += 2;
  }

  /** Adds a real server read at once (the -Ln reader), after any pending ones. */
  addServer(rs: RealServer, line: SourceLine): void {
    this.#readPending();
    this.#servers.push(rs);
    this.#lines.push(line);
  }

  #readPending(): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = null;
    const text = p.source.text;
    for (let i = this.#from; i < this.#to; i += 2) {
      const start = p.at[i]!;
      const line = lineAt(p.source, start, lineEnd(text, start), p.at[i + 1]!);
      this.#servers.push(p.read(line, this));
      this.#lines.push(line);
    }
  }

  /** Every field, as the plain object the parser used to hand out. */
  toJSON(): VirtualService {
    return {
      kind: this.kind,
      protocol: this.protocol,
      family: this.family,
      vip: this.vip,
      port: this.port,
      fwmark: this.fwmark,
      scheduler: this.scheduler,
      schedFlags: this.schedFlags,
      persistence: this.persistence,
      persistenceEngine: this.persistenceEngine,
      onePacket: this.onePacket,
      realServers: this.realServers,
      unknownOptions: this.unknownOptions,
      raw: this.raw,
      rawLines: this.rawLines,
      span: this.span,
      ...(this.stats ? { stats: this.stats } : {}),
      ...(this.rate ? { rate: this.rate } : {}),
    };
  }
}

/** Collects drafts by kernel identity, reporting duplicates; shared by the -Sn and -Ln readers. */
export class ServiceTable {
  readonly drafts: ServiceDraft[] = [];
  readonly byKey = new Map<string, ServiceDraft>();
  readonly diagnostics: Diagnostic[] = [];
  readonly unparsed: Unparsed[] = [];
  /** A real server whose weight or forwarding the listing does not print was read. */
  assumed = false;

  constructor(
    readonly source: TextSource,
    readonly pending: PendingServers,
  ) {}

  /** Adds `d`; true when it is the service its key now finds (false: a duplicate, kept but not found). */
  add(d: ServiceDraft, key = virtualServiceKey(d)): boolean {
    this.drafts.push(d);
    if (this.byKey.has(key)) {
      this.diagnostics.push(
        diagnostic('IPVS_DUPLICATE_SERVICE', `virtual service ${key} appears twice; both kept`, d.headLine().span, 'warning'),
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
