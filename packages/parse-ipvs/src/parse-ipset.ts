import { diagnostic, type Diagnostic, type Unparsed } from './diagnostic';
import { parseMemberElements, parseSetType, tokenize } from './ipset-member';
import type { IpSet, IpSetMember, IpsetParseResult } from './ipset-types';
import type { ParseOptions } from './parse-ipvsadm';
import { joinSpans, sourceLines, type SourceLine } from './source-text';

/** Create/Header options that are bare flags; every other option takes one value. */
const FLAG_OPTIONS = new Set(['comment', 'counters', 'skbinfo', 'forceadd', 'bucketsize-auto']);
/** Member extensions that are bare flags. */
const FLAG_EXTENSIONS = new Set(['nomatch']);

interface SetDraft {
  name: string;
  type: string;
  options: Record<string, string | true>;
  info: { revision?: number; references?: number; numberOfEntries?: number; sizeInMemory?: number };
  members: IpSetMember[];
  unparsedMembers: Unparsed[];
  first: SourceLine;
  last: SourceLine;
}

class Reader {
  readonly sets = new Map<string, SetDraft>();
  readonly order: SetDraft[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly unparsed: Unparsed[] = [];

  reject(line: SourceLine, code: Diagnostic['code'], message: string): Unparsed {
    this.diagnostics.push(diagnostic(code, message, line.span));
    const u: Unparsed = { kind: 'unparsed', raw: line.text, span: line.span, reason: code };
    this.unparsed.push(u);
    return u;
  }

  create(line: SourceLine, name: string, type: string, optionTokens: readonly string[]): SetDraft {
    const d: SetDraft = { name, type, options: readOptions(optionTokens), info: {}, members: [], unparsedMembers: [], first: line, last: line };
    if (this.sets.has(name)) this.diagnostics.push(diagnostic('IPSET_DUPLICATE_SET', `set ${name} defined twice; the later one is used`, line.span, 'warning'));
    if (type !== '' && !parseSetType(type)) this.diagnostics.push(diagnostic('IPSET_UNKNOWN_TYPE', `set type "${type}" not understood; members kept unparsed`, line.span, 'warning'));
    this.sets.set(name, d);
    this.order.push(d);
    return d;
  }

  member(line: SourceLine, set: SetDraft, tokens: readonly string[]): void {
    set.last = line;
    const t = parseSetType(set.type);
    const elements = t && tokens[0] !== undefined ? parseMemberElements(tokens[0], t.dimensions, t.method === 'bitmap') : null;
    if (!elements) {
      set.unparsedMembers.push(this.reject(line, 'IPSET_BAD_MEMBER', `member "${tokens[0] ?? ''}" does not fit ${set.type}`));
      return;
    }
    const ext: Record<string, string> = {};
    let nomatch = false;
    for (let i = 1; i < tokens.length; i++) {
      const k = tokens[i]!;
      if (FLAG_EXTENSIONS.has(k)) nomatch = true;
      else if (tokens[i + 1] !== undefined) ext[k] = tokens[++i]!;
      else ext[k] = '';
    }
    const { timeout, comment, ...rest } = ext;
    set.members.push({
      kind: 'member',
      elements,
      nomatch,
      ...(timeout !== undefined && /^\d+$/.test(timeout) ? { timeout: Number(timeout) } : {}),
      ...(comment !== undefined ? { comment } : {}),
      extensions: rest,
      raw: line.text,
      span: line.span,
    });
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

/**
 * Parses `ipset save` (`create ...` / `add ...`) or `ipset list` (Name:/Type:/Header:/Members:
 * blocks) into sets with typed member tuples. Never throws; bad lines become `unparsed`.
 */
export function parseIpset(text: string, options: ParseOptions): IpsetParseResult {
  const r = new Reader();
  let format: IpsetParseResult['format'] = 'empty';
  let listSet: SetDraft | null = null;
  let inMembers = false;
  for (const line of sourceLines(text, options.file)) {
    const trimmed = line.text.trim();
    if (trimmed === '') {
      inMembers = false;
      continue;
    }
    const field = LIST_FIELD.exec(trimmed);
    if (field && !(inMembers && field[1] !== 'Name')) {
      format = 'list';
      inMembers = false;
      listSet = readListField(r, line, field[1]!, field[2]!, listSet);
      if (field[1] === 'Members') inMembers = listSet !== null;
      continue;
    }
    if (inMembers && listSet) {
      r.member(line, listSet, tokenize(trimmed));
      continue;
    }
    const tokens = tokenize(trimmed);
    if (tokens[0] === 'create' && tokens.length >= 3) {
      format = 'save';
      r.create(line, tokens[1]!, tokens[2]!, tokens.slice(3));
    } else if (tokens[0] === 'add' && tokens.length >= 3) {
      format = 'save';
      const set = r.sets.get(tokens[1]!);
      if (set) r.member(line, set, tokens.slice(2));
      else r.reject(line, 'IPSET_UNKNOWN_SET', `add to set ${tokens[1]} before any create`);
    } else {
      r.reject(line, 'IPSET_UNKNOWN_LINE', 'not an ipset save or list line');
    }
  }
  return { format, sets: r.order.map(freeze), unparsed: r.unparsed, diagnostics: r.diagnostics };
}

function readListField(r: Reader, line: SourceLine, key: string, value: string, set: SetDraft | null): SetDraft | null {
  if (key === 'Name') return r.create(line, value, '', []);
  if (!set) {
    r.reject(line, 'IPSET_UNKNOWN_LINE', `"${key}:" before any "Name:"`);
    return null;
  }
  set.last = line;
  const n = /^\d+$/.test(value) ? Number(value) : undefined;
  switch (key) {
    case 'Type':
      set.type = value;
      if (!parseSetType(value)) r.diagnostics.push(diagnostic('IPSET_UNKNOWN_TYPE', `set type "${value}" not understood; members kept unparsed`, line.span, 'warning'));
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

function freeze(d: SetDraft): IpSet {
  const t = parseSetType(d.type);
  const fam = d.options['family'];
  return {
    kind: 'ipset',
    name: d.name,
    type: d.type,
    method: t?.method ?? null,
    dimensions: t?.dimensions ?? null,
    family: fam === 'inet' || fam === 'inet6' ? fam : null,
    options: d.options,
    ...d.info,
    members: d.members,
    unparsedMembers: d.unparsedMembers,
    raw: d.first.text,
    span: joinSpans(d.first.span, d.last.span),
  };
}
