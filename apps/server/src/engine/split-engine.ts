import { DomainError } from '../errors';
import type { EngineOp, EngineSnapshot, ResultOf, RulesetEngine } from './engine-ops';

/**
 * Two engines, so a slow op cannot hold up the interactive ones. The doctor (`findings`) reads every
 * Service of the snapshot and takes seconds on a 10,000-Service dump; an engine answers one op at
 * a time, so sharing one would make a graph or a trace wait behind it. Each engine keeps its own
 * parsed copy of a snapshot, at the cost of parsing it twice (in parallel) and twice the memory.
 */
export class SplitRulesetEngine implements RulesetEngine {
  constructor(
    private readonly interactive: RulesetEngine,
    private readonly doctor: RulesetEngine,
  ) {}

  private queue: Promise<unknown> = Promise.resolve();

  run<K extends EngineOp['kind']>(snapshot: EngineSnapshot, op: Extract<EngineOp, { kind: K }>, o: { readonly signal?: AbortSignal } = {}): Promise<ResultOf<K>> {
    if (op.kind !== 'findings') return this.interactive.run(snapshot, op);
    const next = this.queue.then(() => {
      if (o.signal?.aborted) throw new DomainError('CANCELLED', 'the request was cancelled before the doctor ran', null);
      return this.doctor.run(snapshot, op);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  evict(snapshotId: string): void {
    this.interactive.evict(snapshotId);
    this.doctor.evict(snapshotId);
  }

  async close(): Promise<void> {
    await Promise.all([this.interactive.close(), this.doctor.close()]);
  }
}
