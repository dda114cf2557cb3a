import { describe, expect, it } from 'vitest';
import type { EngineOp, EngineSnapshot, RulesetEngine } from '../engine/engine-ops';
import { SettledAnswers } from './settled-answers';

/**
 * A counting stand-in for the engine (a double: what is checked is how often the engine is asked,
 * which a real worker pool does not tell); the routes over the real engine are in api.test.ts and
 * import-routes.test.ts.
 */
function countingEngine(fail = new Set<string>()) {
  const asked: string[] = [];
  const engine: RulesetEngine = {
    run: async (s: EngineSnapshot, op: EngineOp) => {
      asked.push(`${s.id}@${s.version} ${op.kind}`);
      if (fail.has(s.id)) throw new Error('engine failed');
      return { answer: `${s.id}@${s.version} ${op.kind}` } as never;
    },
    evict: () => undefined,
    close: async () => undefined,
  };
  return { engine, asked };
}
const snap = (id: string, version = 'v1'): EngineSnapshot => ({ id, version, files: [] });

describe('SettledAnswers', () => {
  it('asks the engine once per snapshot version and kind', async () => {
    const { engine, asked } = countingEngine();
    const settled = new SettledAnswers(engine);
    expect(await settled.run(snap('a'), 'load')).toEqual({ answer: 'a@v1 load' });
    expect(await settled.run(snap('a'), 'load')).toEqual({ answer: 'a@v1 load' });
    await settled.run(snap('a'), 'namespaces');
    await settled.run(snap('a', 'v2'), 'load');
    expect(asked).toEqual(['a@v1 load', 'a@v1 namespaces', 'a@v2 load']);
  });

  it('keeps no failure, and only the newest answers', async () => {
    const { engine, asked } = countingEngine(new Set(['bad']));
    const settled = new SettledAnswers(engine, 2);
    await expect(settled.run(snap('bad'), 'load')).rejects.toThrow('engine failed');
    await expect(settled.run(snap('bad'), 'load')).rejects.toThrow('engine failed');
    for (const id of ['a', 'b', 'c', 'a']) await settled.run(snap(id), 'load');
    expect(asked).toEqual(['bad@v1 load', 'bad@v1 load', 'a@v1 load', 'b@v1 load', 'c@v1 load', 'a@v1 load']);
  });
});
