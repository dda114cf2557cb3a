import type { EngineOp, EngineSnapshot, ResultOf, RulesetEngine } from '../engine/engine-ops';

/** Ops whose answer depends on nothing but the snapshot's version, and is small. */
type SettledKind = 'load' | 'namespaces';

/**
 * A stored snapshot never changes, so its load summary and its namespace counts are the same at
 * every ask: the routes keep them (a few KB each, the newest `max`) once the engine has answered.
 * An engine worker answers one message at a time and ops on a snapshot wait for the worker that
 * holds it, so a page opening a big snapshot would otherwise queue its detail and its overview
 * behind whatever that worker does meanwhile: after an import, preparing the new snapshot's
 * Service graphs (~1.5 s of a 10,000-Service dump on a busy machine) kept the overview waiting.
 * A failure is not kept.
 */
export class SettledAnswers {
  private readonly kept = new Map<string, unknown>();

  constructor(
    private readonly engine: RulesetEngine,
    private readonly max = 64,
  ) {}

  async run<K extends SettledKind>(snapshot: EngineSnapshot, kind: K): Promise<ResultOf<K>> {
    const key = `${snapshot.id}@${snapshot.version}\u0000${kind}`;
    if (this.kept.has(key)) return this.kept.get(key) as ResultOf<K>;
    const value = await this.engine.run(snapshot, { kind } as Extract<EngineOp, { kind: K }>);
    this.kept.set(key, value);
    while (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value!);
    return value;
  }
}
