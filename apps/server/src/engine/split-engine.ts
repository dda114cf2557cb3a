import type { EngineOp, EngineSnapshot, ResultOf, RulesetEngine } from './engine-ops';

/**
 * Two engines, so a slow op cannot hold up the interactive ones. The doctor (`findings`) reads every
 * Service of the snapshot and takes seconds on a 10,000-Service dump; an engine answers one op at
 * a time, so sharing one would make a graph or a trace wait behind it. Each engine keeps its own
 * parsed copy of a snapshot, at the cost of parsing it twice (in parallel) and twice the memory.
 * The doctor's pool queues ops on one snapshot behind each other (they share its parsed copy) and
 * runs other snapshots' ops on its other worker, so one slow doctor run holds up only its own
 * snapshot.
 */
export class SplitRulesetEngine implements RulesetEngine {
  constructor(
    private readonly interactive: RulesetEngine,
    private readonly doctor: RulesetEngine,
  ) {}

  run<K extends EngineOp['kind']>(snapshot: EngineSnapshot, op: Extract<EngineOp, { kind: K }>, o: { readonly signal?: AbortSignal } = {}): Promise<ResultOf<K>> {
    return (op.kind === 'findings' ? this.doctor : this.interactive).run(snapshot, op, o);
  }

  evict(snapshotId: string): void {
    this.interactive.evict(snapshotId);
    this.doctor.evict(snapshotId);
  }

  async close(): Promise<void> {
    await Promise.all([this.interactive.close(), this.doctor.close()]);
  }
}
