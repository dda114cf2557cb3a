import type { RuleLines } from '@svcpath/parse-iptables';
import { ruleCountOf, ruleOf, type RsChain, type RsJumpGraph, type RsRule, type Ruleset } from '@svcpath/ruleset';
import { perServiceKindAt } from './chain-kind';
import { jumpTarget } from './jump-target';

/** kube-proxy's per-Service chains: KUBE-SVC/SVL/EXT/FW/SEP-<hash> and the older KUBE-XLB-<hash>. */
export const SERVICE_CHAIN = /^KUBE-(SVC|SVL|EXT|FW|SEP|XLB)-[A-Z0-9]{16}$/;

/**
 * kube-proxy's nftables chains name the Service port in full:
 * `service-ULMVA6XW-ns1/svc1/tcp/p80`, `endpoint-…-ns1/svc1/tcp/p80__10.180.0.1/80`.
 */
const NFT_SERVICE_CHAIN = /^(?:service|external|endpoint|firewall)-[A-Z0-9]{8}-([^/]+)\/([^/]+)\/[a-z]+\/([^_]*)(?:__.*)?$/;

/** The ServicePortName an nftables-mode chain name spells out, if it is one of kube-proxy's. */
export function servicePortNameOfNftChain(chain: string): string | null {
  const m = NFT_SERVICE_CHAIN.exec(chain);
  if (!m) return null;
  return m[3] ? `${m[1]}/${m[2]}:${m[3]}` : `${m[1]}/${m[2]}`;
}

/** A ServicePortName at the start of a kube-proxy comment: `ns/name:port` or `ns/name`. */
const SPN_AT_START = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[^\s]+)?)(\s|$)/;
/** Comments that name the Service later on: `masquerade traffic for ns/svc:p external destinations`. */
const SPN_AFTER_FOR = /\b(?:for|to) ([a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9.]*(?::[^\s]+)?)/;

/** The ServicePortName a kube-proxy comment is about, if it names one. */
export function servicePortNameOf(comment: string | null): string | null {
  if (!comment) return null;
  return SPN_AT_START.exec(comment)?.[1] ?? SPN_AFTER_FOR.exec(comment)?.[1] ?? null;
}

const cache = new WeakMap<Ruleset, Map<string, string>>();
/** Each owner entry's chain, and its number in the ruleset's jump graph (-1: not known). */
interface OwnerChains {
  readonly chains: readonly (RsChain | undefined)[];
  readonly numbers: readonly number[];
}
const chainsOfOwners = new WeakMap<ReadonlyMap<string, string>, OwnerChains>();

/**
 * The chain of each entry of an owners map (serviceChains, nftServiceChains), in its order; undefined
 * for a chain the dump only names (a jump to a chain it does not hold). Null: not known, look them up.
 * `numbers` has each one's number in the ruleset's jump graph, when serviceChains knew it (else -1).
 */
export function ownerChainObjects(owners: ReadonlyMap<string, string>): OwnerChains | null {
  return chainsOfOwners.get(owners) ?? null;
}

/**
 * The rules of chain k (read from its lines) that jump or go to a chain, their places into
 * `jumping`; true when the jump graph holds each one's chain, the j-th then
 * `g.edgeTo[g.edgeStart[k] + j]` (a jump to a chain the dump lacks is no edge: false, read names).
 */
export function lineJumps(g: RsJumpGraph, k: number, lines: RuleLines, jumping: number[]): boolean {
  jumping.length = 0;
  for (let i = 0; i < lines.count; i++) if (lines.jumps(i)) jumping.push(i);
  return g.edgeEnd[k]! - g.edgeStart[k]! === jumping.length;
}

/**
 * The ServicePortName each chain of `rs` belongs to, by its number in the jump graph (see
 * ownerChains), for a ruleset whose rules are read from their lines (a scanned dump's: see
 * JumpGraph.lines); null for any other. A walk of every rule's jump then finds the chain jumped to
 * by number, not by a `table/chain` id built and hashed for each.
 */
export function ownersByNumber(rs: Ruleset, owners: ReadonlyMap<string, string>): ((k: number) => string | undefined) | null {
  const g = rs.jumpGraph;
  if (!g?.lines || rs.dataplane !== 'iptables' || g.size !== rs.chains.size || !(owners instanceof NumberedOwners)) return null;
  return (k) => owners.ownerOf(k);
}

/**
 * serviceChains' map for a ruleset whose chains are numbered (a jump graph over exactly its
 * chains): each chain's ServicePortName kept by the chain's number, and by id only for the chains
 * the rules jump to but the dump lacks. Read as a Map (ids made when iterated); built without one
 * id hashed per chain, where a Map of a 10,000-Service dump's ~110,000 ids cost ~170 ms to fill.
 */
class NumberedOwners extends Map<string, string> {
  private readonly owner: Int32Array;
  private readonly names: string[] = [];
  private readonly nameAt = new Map<string, number>();
  /** Entries in the order added: a chain's number, or -(u + 1) for the u-th chain the dump lacks. */
  private readonly order: number[] = [];
  private readonly unheldIds: string[] = [];
  private readonly unheldOwner: number[] = [];
  private readonly unheldAt = new Map<string, number>();

  constructor(
    private readonly g: RsJumpGraph,
    private readonly idOf: (k: number) => string,
  ) {
    super();
    this.owner = new Int32Array(g.size).fill(-1);
  }

  private nameIndex(portName: string): number {
    let i = this.nameAt.get(portName);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(portName);
      this.nameAt.set(portName, i);
    }
    return i;
  }

  /** Chain number k belongs to `portName` (once: the first one added stays). */
  addNumber(k: number, portName: string): void {
    if (this.owner[k]! >= 0) return;
    this.owner[k] = this.nameIndex(portName);
    this.order.push(k);
  }

  /** The chain `id`, which the dump lacks, belongs to `portName`. */
  addUnheld(id: string, portName: string): void {
    if (this.unheldAt.has(id)) return;
    const u = this.unheldIds.length;
    this.unheldIds.push(id);
    this.unheldOwner.push(this.nameIndex(portName));
    this.unheldAt.set(id, u);
    this.order.push(-(u + 1));
  }

  ownerOf(k: number): string | undefined {
    const i = this.owner[k]!;
    return i < 0 ? undefined : this.names[i];
  }

  /** Each entry in order: its chain's number and owner, or (a chain the dump lacks) -1, its id and owner. */
  forEachEntry(fn: (k: number, lackedId: string | null, portName: string) => void): void {
    for (const e of this.order) {
      if (e >= 0) fn(e, null, this.names[this.owner[e]!]!);
      else fn(-1, this.unheldIds[-e - 1]!, this.names[this.unheldOwner[-e - 1]!]!);
    }
  }

  override get size(): number {
    return this.order.length;
  }

  override get(id: string): string | undefined {
    const k = this.g.numberOf(id);
    if (k >= 0) return this.ownerOf(k);
    const u = this.unheldAt.get(id);
    return u === undefined ? undefined : this.names[this.unheldOwner[u]!];
  }

  override has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  override entries(): MapIterator<[string, string]> {
    return (function* (self: NumberedOwners) {
      for (const e of self.order) yield e >= 0 ? ([self.idOf(e), self.names[self.owner[e]!]!] as [string, string]) : ([self.unheldIds[-e - 1]!, self.names[self.unheldOwner[-e - 1]!]!] as [string, string]);
    })(this) as MapIterator<[string, string]>;
  }

  override keys(): MapIterator<string> {
    return (function* (self: NumberedOwners) {
      for (const [id] of self.entries()) yield id;
    })(this) as MapIterator<string>;
  }

  override values(): MapIterator<string> {
    return (function* (self: NumberedOwners) {
      for (const [, portName] of self.entries()) yield portName;
    })(this) as MapIterator<string>;
  }

  override [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }

  override forEach(fn: (value: string, key: string, map: Map<string, string>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  override set(): this {
    throw new Error('serviceChains\' map is read only');
  }

  override delete(): boolean {
    throw new Error('serviceChains\' map is read only');
  }

  override clear(): void {
    throw new Error('serviceChains\' map is read only');
  }
}

/** An owners map being built, with each entry's chain beside it (see ownerChainObjects). */
export class OwnersBuilder {
  readonly out: Map<string, string>;
  private readonly chains: (RsChain | undefined)[] = [];
  private readonly numbers: number[] = [];

  /** `numbered`: keep the chains by number (see NumberedOwners); `add` then needs each held chain's number. */
  constructor(numbered?: NumberedOwners) {
    this.out = numbered ?? new Map();
  }

  add(id: string, portName: string, chain: RsChain | undefined, number = -1): void {
    const out = this.out;
    if (out instanceof NumberedOwners) {
      if (number >= 0) out.addNumber(number, portName);
      else out.addUnheld(id, portName);
    } else out.set(id, portName);
    this.chains.push(chain);
    this.numbers.push(number);
  }

  done(): Map<string, string> {
    chainsOfOwners.set(this.out, { chains: this.chains, numbers: this.numbers });
    return this.out;
  }
}

/** A scanned dump's jump graph: every chain's name, id and rules read by its number (see JumpGraph). */
export type ScanGraph = RsJumpGraph & Required<Pick<RsJumpGraph, 'lines' | 'names' | 'id' | 'lacking'>>;

/** The ruleset's jump graph when it is a scanned dump's over exactly its chains, else null. */
export function scanGraph(rs: Ruleset): ScanGraph | null {
  const g = rs.jumpGraph;
  return g !== undefined && rs.dataplane === 'iptables' && g.size === rs.chains.size && g.lines && g.names && g.id && g.lacking ? (g as ScanGraph) : null;
}

/**
 * An owners map's entries by chain number (see NumberedOwners.forEachEntry), when serviceChains
 * kept them so; null for any other map.
 */
export function numberedEntries(owners: ReadonlyMap<string, string>): NumberedOwners['forEachEntry'] | null {
  return owners instanceof NumberedOwners ? owners.forEachEntry.bind(owners) : null;
}

/**
 * serviceChains of a scanned dump, by chain number: names tested on their bytes, rules read from
 * their lines, and a chain's rules read for its jumps only when a jump leads to a per-Service chain
 * no comment has named yet, or to a chain the dump lacks. No chain object and no id is made: for
 * 10,000 Services the walk over every chain made ~117,000 of each.
 */
function serviceChainsByNumber(g: ScanGraph): Map<string, string> {
  const { bytes, at, length } = g.names;
  const numbered = new NumberedOwners(g, (k) => g.id(k));
  const owners = new OwnersBuilder(numbered);
  const perService = new Uint8Array(g.size);
  for (let k = 0; k < g.size; k++) {
    if (perServiceKindAt(bytes, at[k]!, length[k]!) === null) continue;
    perService[k] = 1;
    const lines = g.lines(k);
    for (let i = 0; i < lines.count; i++) {
      const own = servicePortNameOf(lines.comment(i));
      if (own === null) continue;
      owners.add('', own, undefined, k);
      break;
    }
  }
  const jumping: number[] = [];
  for (let k = 0; k < g.size; k++) {
    const from = g.edgeStart[k]!;
    const edges = g.edgeEnd[k]! - from;
    let read = g.lacking(k);
    for (let j = 0; !read && j < edges; j++) {
      const to = g.edgeTo[from + j]!;
      read = perService[to] === 1 && numbered.ownerOf(to) === undefined;
    }
    if (!read) continue;
    const lines = g.lines(k);
    // Rule i jumps to chain `number`, or (-1) to the chain `id` the dump lacks: named after the
    // rule's comment, else its own chain's owner, unless named already.
    const claim = (i: number, number: number, id: string) => {
      if (number >= 0 ? numbered.ownerOf(number) !== undefined : numbered.has(id)) return;
      const name = servicePortNameOf(lines.comment(i)) ?? numbered.ownerOf(k);
      if (name) owners.add(number >= 0 ? '' : id, name, undefined, number);
    };
    if (lineJumps(g, k, lines, jumping)) {
      for (let j = 0; j < edges; j++) {
        const number = g.edgeTo[from + j]!;
        if (perService[number] === 1) claim(jumping[j]!, number, '');
      }
      continue;
    }
    const own = g.id(k);
    const table = own.slice(0, own.indexOf('/'));
    for (const i of jumping) {
      const to = lines.jumpTarget(i)!;
      if (!SERVICE_CHAIN.test(to)) continue;
      const id = `${table}/${to}`;
      claim(i, g.numberOf(id), id);
    }
  }
  return owners.done();
}

/**
 * Which ServicePortName each per-Service chain belongs to (`table/chain` → `ns/svc:port`), read from
 * the comments kube-proxy writes on the chain's own rules and on the rules jumping into it. Chains
 * with no comments anywhere map to nothing; callers then show the chain name.
 */
export function serviceChains(rs: Ruleset): Map<string, string> {
  const hit = cache.get(rs);
  if (hit) return hit;
  const scanned = scanGraph(rs);
  if (scanned !== null) {
    const out = serviceChainsByNumber(scanned);
    cache.set(rs, out);
    return out;
  }
  const g = rs.jumpGraph;
  const byNumber = g !== undefined && rs.dataplane === 'iptables' && g.size === rs.chains.size;
  // Chain k of the graph is the k-th of rs.chains (see JumpGraph).
  const list = byNumber ? [...rs.chains.values()] : null;
  // A scanned dump's chains are kept by number (see NumberedOwners): every chain of the dump added
  // gets one. A parsed dump's jump graph finds a number by two slices and two lookups, which costs
  // its later readers by id more than a Map of ids does: it keeps the Map.
  const numbered = list && g!.lines ? new NumberedOwners(g!, (k) => list[k]!.id) : null;
  const owners = new OwnersBuilder(numbered ?? undefined);
  const out = owners.out;
  // A scanned dump's rules read from their lines: no rule object made for each (see JumpGraph.lines).
  const linesOf = byNumber && g.lines ? (k: number) => g.lines!(k) : null;
  let n = -1;
  for (const chain of rs.chains.values()) {
    n++;
    if (!SERVICE_CHAIN.test(chain.name)) continue;
    const lines = linesOf?.(n);
    const count = lines ? lines.count : chain.rules.length;
    for (let i = 0; i < count; i++) {
      const own = servicePortNameOf(lines ? lines.comment(i) : chain.rules[i]!.comment);
      if (own === null) continue;
      owners.add(chain.id, own, chain, byNumber ? n : -1);
      break;
    }
  }
  // Jump targets found by name in their table: no `table/chain` string built and hashed per jump, and
  // the map is keyed by each chain's own id (hashed once), which later lookups then find at once.
  let byName: Map<string, Map<string, RsChain>> | null = null;
  const named = (table: string, to: string): RsChain | undefined => {
    if (byName === null) {
      byName = new Map();
      for (const chain of rs.chains.values()) (byName.get(chain.table) ?? byName.set(chain.table, new Map()).get(chain.table)!).set(chain.name, chain);
    }
    return byName.get(table)?.get(to);
  };
  // Each jumping rule's place in its chain, and where it jumps.
  const jumping: number[] = [];
  const targets: string[] = [];
  let k = -1;
  for (const chain of rs.chains.values()) {
    k++;
    jumping.length = 0;
    targets.length = 0;
    const lines = linesOf?.(k);
    // Rule i jumps to `target` (number: its number, -1 unknown), named `to`: named after the rule's comment, else its chain's owner.
    const claim = (i: number, to: string, target: RsChain | undefined, number: number) => {
      // Most targets are named already (by their own comments, or an earlier jump): no comment read.
      // A chain the dump holds is looked up by its number (no id hashed); one it only names, by id.
      if (numbered !== null && target !== undefined && number < 0) number = g!.numberOf(target.id);
      if (numbered !== null && number >= 0 ? numbered.ownerOf(number) !== undefined : out.has(target?.id ?? `${chain.table}/${to}`)) return;
      const name = servicePortNameOf(lines ? lines.comment(i) : chain.rules[i]!.comment) ?? (numbered ? numbered.ownerOf(k) : out.get(chain.id));
      if (!name) return;
      owners.add(numbered !== null && number >= 0 ? '' : (target?.id ?? `${chain.table}/${to}`), name, target, number);
    };
    // A scanned or parsed dump's jump graph has the chains its rules jump to, in rule order: when
    // every jump of this chain is there, its targets are found by number, not by name.
    const from = byNumber ? g.edgeStart[k]! : 0;
    const edges = byNumber ? g.edgeEnd[k]! - from : -1;
    if (lines) {
      if (lineJumps(g!, k, lines, jumping)) {
        // Each jump's chain by number, and its name from the chain: no name read from a line.
        for (let j = 0; j < edges; j++) {
          const number = g!.edgeTo[from + j]!;
          const target = list![number]!;
          if (SERVICE_CHAIN.test(target.name)) claim(jumping[j]!, target.name, target, number);
        }
        continue;
      }
      for (const i of jumping) targets.push(lines.jumpTarget(i)!);
    } else {
      for (let i = 0; i < chain.rules.length; i++) {
        // The jump alone: a lazily read rule tells it from its line (a DNAT's action is not read).
        const to = jumpTarget(chain.rules[i]!);
        if (to === null) continue;
        jumping.push(i);
        targets.push(to);
      }
    }
    const aligned = edges === targets.length;
    for (let j = 0; j < targets.length; j++) {
      const to = targets[j]!;
      if (!SERVICE_CHAIN.test(to)) continue;
      const number = aligned ? g!.edgeTo[from + j]! : -1;
      claim(jumping[j]!, to, aligned ? list![number] : named(chain.table, to), number);
    }
  }
  owners.done();
  cache.set(rs, out);
  return out;
}

const ownCache = new WeakMap<Ruleset, Map<string, string | null>>();

/** The ServicePortName a per-Service chain's own rules name in their comments (memoised). */
function serviceOfChain(rs: Ruleset, chainId: string): string | null {
  let m = ownCache.get(rs);
  if (!m) ownCache.set(rs, (m = new Map()));
  if (m.has(chainId)) return m.get(chainId)!;
  let name: string | null = null;
  for (const r of rs.chains.get(chainId)?.rules ?? []) if ((name = servicePortNameOf(r.comment))) break;
  m.set(chainId, name);
  return name;
}

/**
 * The Service a traced path belongs to: the first per-Service chain it entered (named by its own
 * rules' comments, or by the comment of the rule that jumped into it), or the first rule on it whose
 * comment names a Service (kube-proxy's "has no endpoints" REJECTs live in shared chains). Only the
 * chains on the path are read, so a trace on a large dump never parses the rest.
 */
export function serviceOfPath(rs: Ruleset, path: readonly { table: string; chain: string; rule: number }[]): string | null {
  for (const step of path as readonly { table: string; chain: string; rule: number; action?: string; elementComment?: string }[]) {
    const id = `${step.table}/${step.chain}`;
    if (SERVICE_CHAIN.test(step.chain)) return serviceOfChain(rs, id) ?? step.chain;
    const nft = servicePortNameOfNftChain(step.chain) ?? servicePortNameOfNftChain(/^(?:goto|jump) (\S+)$/.exec(step.action ?? '')?.[1] ?? '');
    if (nft) return nft;
    const fromElement = servicePortNameOf(step.elementComment ?? null);
    if (fromElement) return fromElement;
    // The step's rule alone (a scanned KUBE-SERVICES has ~12,000: see RsChain.rule).
    const chain = rs.chains.get(id);
    const rule: RsRule | undefined = chain && step.rule >= 1 && step.rule <= ruleCountOf(chain) ? ruleOf(chain, step.rule - 1) : undefined;
    const action = rule?.action;
    const target = action && (action.kind === 'jump' || action.kind === 'goto') ? action.chain : null;
    if (target && SERVICE_CHAIN.test(target)) return servicePortNameOf(rule!.comment) ?? serviceOfChain(rs, `${step.table}/${target}`) ?? target;
    if (/^KUBE-/.test(step.chain) && action && action.kind !== 'jump') {
      const fromComment = servicePortNameOf(rule!.comment);
      if (fromComment) return fromComment;
    }
  }
  return null;
}
