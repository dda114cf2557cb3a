import type { IP } from '@svcpath/netaddr';
import { diagnostic, type Diagnostic, type Unparsed } from './diagnostic';
import { NO_SCHED_FLAGS } from './ipvs-fields';
import type { IpvsProtocol, Persistence, RateStats, RealServer, SchedFlags, TrafficStats, VirtualService } from './ipvs-types';
import { virtualServiceKey } from './ipvs-types';
import { joinSpans, lineAt, lineEnd, nextLineStart, type SourceLine, type Span, type TextSource } from './source-text';

/** Reads one accepted real-server line again, for its owner; its diagnostics were reported already. */
export type ServerReader = (line: SourceLine, owner: ServiceDraft) => RealServer;

/**
 * How the real-server lines of one input are read when first asked for: checked lines (their
 * diagnostics reported) are kept as runs of whole lines, `[start, next)` offsets into the text,
 * so 100,000 lines cost nothing each until a service's servers are read.
 */
export class PendingServers {
  constructor(
    readonly source: TextSource,
    readonly read: ServerReader,
  ) {}
}

type ServiceId = Pick<VirtualService, 'protocol' | 'family' | 'vip' | 'port' | 'fwmark'>;

/**
 * A virtual service while its lines are read, and the {@link VirtualService} handed out after.
 * `raw`, `realServers`, `rawLines` and `span` are read from the text when first asked for
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
  declare stats?: TrafficStats;
  declare rate?: RateStats;

  /** Real servers read so far, and their lines (none yet: null); pending ones follow them. */
  #servers: RealServer[] | null = null;
  #lines: SourceLine[] | null = null;
  /** The run of checked lines not read yet: whole lines from `#runStart` (line `#runLine`) up to `#runNext`. */
  #pending: PendingServers | null = null;
  #runStart = 0;
  #runNext = 0;
  #runLine = 0;
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

  /** The service's own line. */
  get raw(): string {
    return this.#head ? this.#head.text : this.#source.text.slice(this.#start, this.#end);
  }

  get realServers(): readonly RealServer[] {
    this.#readPending();
    return (this.#servers ??= []);
  }

  get rawLines(): readonly string[] {
    this.#readPending();
    return [this.raw, ...(this.#lines ?? []).map((l) => l.text)];
  }

  get span(): Span {
    this.#readPending();
    const head = this.headLine();
    return joinSpans(head.span, (this.#lines?.[this.#lines.length - 1] ?? head).span);
  }

  /** The service's own line. */
  headLine(): SourceLine {
    return (this.#head ??= lineAt(this.#source, this.#start, this.#end, this.#line));
  }

  /**
   * Notes a checked real-server line, from `start` to just past its terminator (`next`), read into
   * a {@link RealServer} when first asked for. Lines straight after the run so far extend it.
   */
  defer(pending: PendingServers, start: number, next: number, line: number): void {
    if (this.#pending && (this.#pending !== pending || this.#runNext !== start)) this.#readPending();
    if (!this.#pending) {
      this.#pending = pending;
      this.#runStart = start;
      this.#runLine = line;
    }
    this.#runNext = next;
  }

  /** Adds a real server read at once (the -Ln reader), after any pending ones. */
  addServer(rs: RealServer, line: SourceLine): void {
    this.#readPending();
    (this.#servers ??= []).push(rs);
    (this.#lines ??= []).push(line);
  }

  #readPending(): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = null;
    const text = p.source.text;
    const servers = (this.#servers ??= []);
    const lines = (this.#lines ??= []);
    for (let start = this.#runStart, n = this.#runLine; start < this.#runNext; n++) {
      const end = lineEnd(text, start);
      const line = lineAt(p.source, start, end, n);
      servers.push(p.read(line, this));
      lines.push(line);
      start = nextLineStart(text, end);
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
