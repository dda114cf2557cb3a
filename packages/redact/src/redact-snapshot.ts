import { snapshotId, type Snapshot, type SnapshotClusterState } from '@svcpath/api-contract';
import { base32, sha256 } from '@svcpath/kube-proxy-sim';
import { chainTable } from './chain-table';
import { collectNames, emptyFound, hostOfServer, type FoundNames } from './collect-names';
import { DEFAULT_KEEP_NAMESPACES, DEFAULT_KEEP_SERVICES, NAME_KINDS, NAME_PREFIX, type KeepOptions, type NameKind, type RedactionMapping } from './mapping';
import { publicV4Prefixes } from './address-map';
import { IPV4 } from './patterns';
import { planPublicV4 } from './public-plan';
import { createRewriter, fallbackChainName, type Rewriter } from './rewriter';

export interface RedactOptions {
  /**
   * Keys the address permutation and the order of pseudonyms. Callers should pass a random one
   * (the server and CLI do); without it a seed is derived from the snapshots' own content.
   */
  readonly seed?: string;
  readonly keep?: KeepOptions;
}

export interface RedactResult {
  readonly snapshots: Snapshot[];
  readonly mapping: RedactionMapping;
}

const utf8 = new TextEncoder();
const digest = (s: string) => base32(sha256(utf8.encode(s)));

/** Every address-looking text of the snapshots (dumps, cluster state, metadata). */
function* addressTexts(snapshots: readonly Snapshot[]): Generator<string> {
  const v4 = new RegExp(IPV4.source, 'g');
  for (const s of snapshots) for (const m of JSON.stringify(s).matchAll(v4)) yield m[0];
}

/** Numbers each kind's names in an order keyed by the seed, so `svc-1` says nothing of the original order. */
function pseudonyms(found: FoundNames, seed: string, keep: KeepOptions): RedactionMapping['names'] {
  const names = keep.names ?? [];
  const keptOf = (kind: NameKind, name: string): boolean =>
    names.includes(name) || (kind === 'namespace' && (keep.namespaces ?? DEFAULT_KEEP_NAMESPACES).includes(name)) || (kind === 'service' && (keep.services ?? DEFAULT_KEEP_SERVICES).includes(name));
  const out = {} as Record<NameKind, Record<string, string>>;
  for (const kind of NAME_KINDS) {
    const keyed = [...found[kind]]
      .filter((n) => n !== '' && !keptOf(kind, n))
      .map((n) => ({ n, k: digest(`${seed}\u0000${kind}\u0000${n}`) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    out[kind] = Object.fromEntries(keyed.map(({ n }, i) => [n, `${NAME_PREFIX[kind]}-${i + 1}`]));
  }
  return out;
}

/** Cluster state values through the rewriter; `uid`s by their own table, the API server URL by its host. */
function redactValue(value: unknown, rw: Rewriter, key = ''): unknown {
  if (typeof value === 'string') return key === 'uid' ? rw.name('uid', value) : rw.freeText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, rw, key));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, rw, k)]));
  return value;
}

function redactClusterState(cs: SnapshotClusterState, rw: Rewriter): SnapshotClusterState {
  const host = hostOfServer(cs.server);
  const server = host ? cs.server.replace(host, rw.name('host', host)) : cs.server;
  return { ...(redactValue(cs, rw) as SnapshotClusterState), server: rw.freeText(server) };
}

function redactOne(s: Snapshot, rw: Rewriter): Snapshot {
  const collection = rw.name('collection', s.collection);
  const node = rw.name('node', s.node);
  const out: Snapshot = {
    ...s,
    id: snapshotId(collection, node),
    collection,
    node,
    cluster: s.cluster === null ? null : rw.freeText(s.cluster),
    context: s.context === null ? null : rw.freeText(s.context),
    nodeIPs: s.nodeIPs.map((a) => rw.address(a) ?? rw.freeText(a)),
    toolVersions: Object.fromEntries(Object.entries(s.toolVersions).map(([k, v]) => [k, rw.freeText(v)])),
    problems: s.problems.map((p) => ({ ...p, subject: rw.freeText(p.subject), message: rw.freeText(p.message) })),
    files: s.files.map((f) => ({ ...f, name: rw.freeText(f.name), text: rw.dumpText(f.text) })),
    clusterState: s.clusterState && redactClusterState(s.clusterState, rw),
  };
  if (s.source !== undefined) out.source = rw.freeText(s.source);
  return out;
}

/**
 * Redacts the snapshots of one collection with one mapping: Namespaces, Services, Pods, Nodes and
 * the cluster's own names become `ns-1`, `svc-3`, `pod-2`, `node-1`, …; addresses go through a
 * prefix-preserving permutation (createAddressMap); kube-proxy's chain names are recomputed from the
 * redacted ServicePortNames and endpoints. Ports, protocols, marks, probabilities and the dumps'
 * line structure are kept, so the redacted dumps trace like the originals.
 */
export function redactSnapshots(snapshots: readonly Snapshot[], options: RedactOptions = {}): RedactResult {
  const seed = options.seed ?? digest(snapshots.map((s) => JSON.stringify(s)).join('\n'));
  const keep = options.keep ?? {};
  const found = emptyFound();
  const servicePortNames = new Set<string>();
  for (const s of snapshots) collectNames(s, found, servicePortNames);
  const publicPlan = planPublicV4(seed, publicV4Prefixes(addressTexts(snapshots), keep.cidrs ?? []));
  const base: RedactionMapping = { seed, keepCidrs: keep.cidrs ?? [], names: pseudonyms(found, seed, keep), chains: {}, addresses: {}, ...(publicPlan ? { publicPlan } : {}) };
  const texts = snapshots.flatMap((s) => s.files.map((f) => f.text));
  const chains = chainTable(texts, servicePortNames, createRewriter(base), (c) => fallbackChainName(seed, c));
  const addresses: Record<string, string> = {};
  const rw = createRewriter({ ...base, chains }, (from, to) => (addresses[from] = to));
  const redacted = snapshots.map((s) => redactOne(s, rw));
  return { snapshots: redacted, mapping: { ...base, chains, addresses } };
}

/** One snapshot: see redactSnapshots. */
export function redactSnapshot(snapshot: Snapshot, options: RedactOptions = {}): { snapshot: Snapshot; mapping: RedactionMapping } {
  const { snapshots, mapping } = redactSnapshots([snapshot], options);
  return { snapshot: snapshots[0]!, mapping };
}

/** More text redacted the way a snapshot was (labels of an exported picture, a Markdown summary). */
export function redactText(text: string, mapping: RedactionMapping): string {
  return createRewriter(mapping).freeText(text);
}
