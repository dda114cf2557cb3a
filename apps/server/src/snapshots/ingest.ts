import { DomainError } from '../errors';
import type { LoadSummary, RulesetEngine } from '../engine/engine-ops';
import { metaOf, snapshotId, type Snapshot, type SnapshotMeta, type SnapshotSource } from './snapshot';
import type { DumpText } from './shared-text';

/** A dump to store as a new snapshot, as an import names it. */
export interface IngestInput {
  readonly collection: string;
  readonly node: string;
  readonly takenAt?: string | undefined;
  readonly nodeIPs: readonly string[];
  readonly files: readonly DumpText[];
}

export interface IngestDeps {
  readonly snapshots: SnapshotSource;
  readonly engine: RulesetEngine;
}

export interface IngestOptions {
  /** Aborted: the result is dropped (the engine's parse cannot be interrupted, its copy is evicted). */
  readonly signal?: AbortSignal;
  readonly onPhase?: (phase: 'parsing' | 'storing') => void;
}

/** Ids handed out to imports still being parsed, so two imports of one node get two ids. */
const reserved = new Set<string>();

/**
 * Where a new import of `node` goes. A node imported again gets a new snapshot beside the earlier
 * one (kept for counters and diffs against it), in a numbered collection: `imported~worker-1`,
 * then `imported-2~worker-1`, … The id is always `collection~node` (the store checks it), so the
 * number goes on the collection, never on the node.
 */
async function freeSlot(source: SnapshotSource, collection: string, node: string): Promise<{ id: string; collection: string }> {
  let slot = { id: snapshotId(collection, node), collection };
  for (let n = 2; reserved.has(slot.id) || (await source.get(slot.id)); n++) slot = { id: snapshotId(`${collection}-${n}`, node), collection: `${collection}-${n}` };
  return slot;
}

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DomainError('CANCELLED', 'the import was cancelled', null);
}

/**
 * Parses a dump in the engine worker and stores it: the one path every import takes. The event
 * loop only hands text over (the engine worker parses, the store writes off the request thread
 * when it can), so other requests are answered while a 40 MB dump is ingested. Parse and store run
 * at once (two workers, two cores: a 40 MB dump's ~1 s of writing hides behind its parse); a
 * snapshot whose parse fails or is cancelled is taken out of the store again, so only snapshots
 * that parsed stay. The phases reported stay in order: parsing, then what is left of storing.
 */
export async function ingestSnapshot(deps: IngestDeps, input: IngestInput, o: IngestOptions = {}): Promise<{ snapshot: SnapshotMeta; load: LoadSummary }> {
  const { id, collection } = await freeSlot(deps.snapshots, input.collection, input.node);
  reserved.add(id);
  try {
    const snapshot: Snapshot = { id, collection, node: input.node, takenAt: input.takenAt ?? new Date().toISOString(), nodeIPs: input.nodeIPs, files: input.files };
    o.onPhase?.('parsing');
    const stored = deps.snapshots.put(snapshot).then(
      () => null,
      (e: unknown) => ({ error: e }),
    );
    let load: LoadSummary;
    try {
      // A cancel while the dump is being parsed stops the parse itself (the pool stops that worker).
      load = await deps.engine.run({ id, version: snapshot.takenAt, files: snapshot.files }, { kind: 'load' }, o.signal ? { signal: o.signal } : {});
      if (o.signal?.aborted || load.chainCount === 0) deps.engine.evict(id);
      checkCancelled(o.signal);
      if (load.chainCount === 0) throw new DomainError('NO_RULES', 'no rules svcpath can trace in these files', { formats: load.formats, diagnostics: load.diagnostics.slice(0, 20) });
    } catch (e) {
      // Not kept: the store had it only because it was written while it was parsed.
      if ((await stored) === null) await deps.snapshots.delete(id).catch(() => false);
      throw e;
    }
    o.onPhase?.('storing');
    const failed = await stored;
    if (failed !== null) {
      deps.engine.evict(id);
      throw failed.error;
    }
    return { snapshot: metaOf(snapshot), load };
  } finally {
    reserved.delete(id);
  }
}
