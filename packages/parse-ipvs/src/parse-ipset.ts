import { diagnostic, type Diagnostic, type Unparsed } from './diagnostic';
import { parseMemberElements, parseSetType, tokenize } from './ipset-member';
import type { IpSet, IpSetMember, IpsetParseResult } from './ipset-types';
import type { ParseOptions } from './parse-ipvsadm';
import { isPlainIpPortMember } from './plain-ipset-member';
import { joinSpans, lineAt, lineEnd, nextLineStart, type SourceLine, type TextSource } from './source-text';

/** Create/Header options that are bare flags; every other option takes one value. */
const FLAG_OPTIONS = new Set(['comment', 'counters', 'skbinfo', 'forceadd', 'bucketsize-auto']);
/** Member extensions that are bare flags. */
const FLAG_EXTENSIONS = new Set(['nomatch']);

type SetType = ReturnType<typeof parseSetType>;

interface SetDraft {
  name: string;
  type: string;
  /** `type` read (parseSetType), once per type rather than once per member. */
  parsedType: SetType;
  options: Record<string, string | true>;
  info: { revision?: number; references?: number; numberOfEntries?: number; sizeInMemory?: number };
  members: IpSetMember[];
  unparsedMembers: Unparsed[];
  first: SourceLine;
  /** The set's last line so far: where it starts and its number. */
  lastStart: number;
  lastLine: number;
  /**
   * Member lines checked in place (plain-ipset-member.ts) and not read into objects yet:
   * `[start, line]` pairs, after `members`. The `add <set> ` prefix they start with is `plainPrefix`.
   */
  pending: number[] | null;
  /** `add <name> ` when the set is hash:ip,port (its members may be checked in place), else null. */
  plainPrefix: string | null;
}

class Reader {
  readonly sets = new Map<string, SetDraft>();
  readonly order: SetDraft[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly unparsed: Unparsed[] = [];

  constructor(readonly source: TextSource) {}

  reject(line: SourceLine, code: Diagnostic['code'], message: string): Unparsed {
    this.diagnostics.push(diagnostic(code, message, line.span));
    const u: Unparsed = { kind: 'unparsed', raw: line.text, span: line.span, reason: code };
    this.unparsed.push(u);
    return u;
  }

  create(line: SourceLine, name: string, type: string, optionTokens: readonly string[]): SetDraft {
    const parsedType = parseSetType(type);
    const d: SetDraft = {
      name,
      type,
      parsedType,
      options: readOptions(optionTokens),
      info: {},
      members: [],
      unparsedMembers: [],
      first: line,
      lastStart: line.span.start.offset,
      lastLine: line.line,
      pending: null,
      plainPrefix: plainPrefixOf(name, parsedType),
    };
    if (this.sets.has(name)) this.diagnostics.push(diagnostic('IPSET_DUPLICATE_SET', `set ${name} defined twice; the later one is used`, line.span, 'warning'));
    if (type !== '' && !parsedType) this.diagnostics.push(diagnostic('IPSET_UNKNOWN_TYPE', `set type "${type}" not understood; members kept unparsed`, line.span, 'warning'));
    this.sets.set(name, d);
    this.order.push(d);
    return d;
  }

  member(line: SourceLine, set: SetDraft, tokens: readonly string[]): void {
    setLast(set, line);
    const m = memberOf(line, set, tokens);
    if (!m) {
      set.unparsedMembers.push(this.reject(line, 'IPSET_BAD_MEMBER', `member "${tokens[0] ?? ''}" does not fit ${set.type}`));
      return;
    }
    readPending(set, this.source);
    set.members.push(m);
  }
}

function setLast(set: SetDraft, line: SourceLine): void {
  set.lastStart = line.span.start.offset;
  set.lastLine = line.line;
}

function plainPrefixOf(name: string, t: SetType): string | null {
  return t?.method === 'hash' && t.dimensions.join(',') === 'ip,port' && !/\s/.test(name) ? `add ${name} ` : null;
}

/** The member a line describes (its tokens after `add <set>`), or null when it does not fit the set's type. */
function memberOf(line: SourceLine, set: SetDraft, tokens: readonly string[]): IpSetMember | null {
  const t = set.parsedType;
  const elements = t && tokens[0] !== undefined ? parseMemberElements(tokens[0], t.dimensions, t.method === 'bitmap') : null;
  if (!elements) return null;
  const ext: Record<string, string> = {};
  let nomatch = false;
  for (let i = 1; i < tokens.length; i++) {
    const k = tokens[i]!;
    if (FLAG_EXTENSIONS.has(k)) nomatch = true;
    else if (tokens[i + 1] !== undefined) ext[k] = tokens[++i]!;
    else ext[k] = '';
  }
  const { timeout, comment, ...rest } = ext;
  return {
    kind: 'member',
    elements,
    nomatch,
    ...(timeout !== undefined && /^\d+$/.test(timeout) ? { timeout: Number(timeout) } : {}),
    ...(comment !== undefined ? { comment } : {}),
    extensions: rest,
    raw: line.text,
    span: line.span,
  };
}

/** Reads the set's pending member lines into members, in order, after those read already. */
function readPending(set: SetDraft, source: TextSource): void {
  const at = set.pending;
  if (!at) return;
  set.pending = null;
  for (let i = 0; i < at.length; i += 2) {
    const start = at[i]!;
    const line = lineAt(source, start, lineEnd(source.text, start), at[i + 1]!);
    set.members.push(memberOf(line, set, tokenize(line.text.trim()).slice(2))!);
  }
}

function readOptions(tokens: readonly string[]): Record<string, string | true> {
  const o: Record<string, string | true> = {};
  for (let i = 0; i < tokens.length; i++) {
    const k = tokens[i]!;
    if (FLAG_OPTIONS.has(k) || tokens[i + 1] === undefined) o[k] = true;
    else o[k] = tokens[++i]!;
  }
  return o;
}

const LIST_FIELD = /^(Name|Type|Revision|Header|Size in memory|References|Number of entries|Members):\s*(.*)$/;

/** What the reader knows between lines. */
interface ReadState {
  format: IpsetParseResult['format'];
  listSet: SetDraft | null;
  inMembers: boolean;
  /** The set an `add` line last named, when its members may be checked in place. */
  plain: SetDraft | null;
}

/**
 * Parses `ipset save` (`create ...` / `add ...`) or `ipset list` (Name:/Type:/Header:/Members:
 * blocks) into sets with typed member tuples. Never throws; bad lines become `unparsed`.
 *
 * Every line is checked here, so every diagnostic is reported at once; members of hash:ip,port
 * sets written plainly (`add S 10.96.0.10,tcp:80`) are read into objects when the set's `members`
 * is first asked for (the same reading), and {@link pendingPlainMembers} gives them as text.
 */
export function parseIpset(text: string, options: ParseOptions): IpsetParseResult {
  return readIpset(text, options, true);
}

/** {@link parseIpset} with every line through the full reader (tests compare the two). */
export function parseIpsetLineByLine(text: string, options: ParseOptions): IpsetParseResult {
  return readIpset(text, options, false);
}

function readIpset(text: string, options: ParseOptions, inPlace: boolean): IpsetParseResult {
  const source: TextSource = { text, file: options.file };
  const r = new Reader(source);
  const st: ReadState = { format: 'empty', listSet: null, inMembers: false, plain: null };
  // Lines as sourceLines cuts them (LF or CRLF; no empty last line after a final newline).
  for (let pos = 0, lineNo = 1; ; lineNo++) {
    const end = lineEnd(text, pos);
    const next = nextLineStart(text, end);
    if (next > text.length && pos === text.length && lineNo > 1) break;
    const set = st.plain;
    if (inPlace && set?.plainPrefix && !st.inMembers && isPlainIpPortMember(text, pos, end, set.plainPrefix) && r.sets.get(set.name) === set) {
      st.format = 'save';
      (set.pending ??= []).push(pos, lineNo);
      set.lastStart = pos;
      set.lastLine = lineNo;
    } else {
      readLine(r, st, lineAt(source, pos, end, lineNo));
    }
    if (next > text.length) break;
    pos = next;
  }
  return { format: st.format, sets: r.order.map((d) => freeze(d, source)), unparsed: r.unparsed, diagnostics: r.diagnostics };
}

/** Reads one line with the full reader. */
function readLine(r: Reader, st: ReadState, line: SourceLine): void {
  const trimmed = line.text.trim();
  if (trimmed === '') {
    st.inMembers = false;
    return;
  }
  const field = LIST_FIELD.exec(trimmed);
  if (field && !(st.inMembers && field[1] !== 'Name')) {
    st.format = 'list';
    st.inMembers = false;
    st.listSet = readListField(r, line, field[1]!, field[2]!, st.listSet);
    if (field[1] === 'Members') st.inMembers = st.listSet !== null;
    return;
  }
  if (st.inMembers && st.listSet) {
    r.member(line, st.listSet, tokenize(trimmed));
    return;
  }
  const tokens = tokenize(trimmed);
  if (tokens[0] === 'create' && tokens.length >= 3) {
    st.format = 'save';
    st.plain = r.create(line, tokens[1]!, tokens[2]!, tokens.slice(3));
  } else if (tokens[0] === 'add' && tokens.length >= 3) {
    st.format = 'save';
    const set = r.sets.get(tokens[1]!);
    if (set) r.member(line, set, tokens.slice(2));
    else r.reject(line, 'IPSET_UNKNOWN_SET', `add to set ${tokens[1]} before any create`);
    st.plain = set ?? st.plain;
  } else {
    r.reject(line, 'IPSET_UNKNOWN_LINE', 'not an ipset save or list line');
  }
}

function readListField(r: Reader, line: SourceLine, key: string, value: string, set: SetDraft | null): SetDraft | null {
  if (key === 'Name') return r.create(line, value, '', []);
  if (!set) {
    r.reject(line, 'IPSET_UNKNOWN_LINE', `"${key}:" before any "Name:"`);
    return null;
  }
  setLast(set, line);
  const n = /^\d+$/.test(value) ? Number(value) : undefined;
  switch (key) {
    case 'Type':
      set.type = value;
      set.parsedType = parseSetType(value);
      set.plainPrefix = null; // a listing's members are read in full
      if (!set.parsedType) r.diagnostics.push(diagnostic('IPSET_UNKNOWN_TYPE', `set type "${value}" not understood; members kept unparsed`, line.span, 'warning'));
      break;
    case 'Header':
      set.options = readOptions(tokenize(value));
      break;
    case 'Revision':
      if (n !== undefined) set.info.revision = n;
      break;
    case 'References':
      if (n !== undefined) set.info.references = n;
      break;
    case 'Number of entries':
      if (n !== undefined) set.info.numberOfEntries = n;
      break;
    case 'Size in memory':
      if (n !== undefined) set.info.sizeInMemory = n;
      break;
    default:
      break;
  }
  return set;
}

/** Sets read by parseIpset whose plain members may still be pending. */
const drafts = new WeakMap<IpSet, { set: SetDraft; source: TextSource }>();

function freeze(d: SetDraft, source: TextSource): IpSet {
  const t = d.parsedType;
  const fam = d.options['family'];
  const last = d.lastStart === d.first.span.start.offset ? d.first : lineAt(source, d.lastStart, lineEnd(source.text, d.lastStart), d.lastLine);
  const set: IpSet = {
    kind: 'ipset',
    name: d.name,
    type: d.type,
    method: t?.method ?? null,
    dimensions: t?.dimensions ?? null,
    family: fam === 'inet' || fam === 'inet6' ? fam : null,
    options: d.options,
    ...d.info,
    get members() {
      readPending(d, source);
      return d.members;
    },
    unparsedMembers: d.unparsedMembers,
    raw: d.first.text,
    span: joinSpans(d.first.span, last.span),
  };
  if (d.pending) drafts.set(set, { set: d, source });
  return set;
}

/**
 * A set's members as parseIpset holds them before anything asked for `members`: those read into
 * objects, then the pending plain ones as `A.B.C.D,proto:PORT` texts (`text.slice(at[i] +
 * prefixLength, lineEnd)`), which print back as written. null when nothing is pending.
 */
export function pendingPlainMembers(set: IpSet): { read: readonly IpSetMember[]; text: string; at: readonly number[]; prefixLength: number } | null {
  const d = drafts.get(set);
  if (!d?.set.pending || !d.set.plainPrefix) return null;
  return { read: d.set.members, text: d.source.text, at: d.set.pending, prefixLength: d.set.plainPrefix.length };
}
