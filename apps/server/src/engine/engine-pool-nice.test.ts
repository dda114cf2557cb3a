import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { EnginePool } from './engine-pool';

/** Each thread's nice value, from /proc (field 19 of /proc/self/task/<tid>/stat). */
function niceByThread(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

const pool = new EnginePool({ maxWorkers: 1, nice: 7 });
afterAll(() => pool.close());

describe.runIf(process.platform === 'linux')('EnginePool: nice', () => {
  it("runs its workers at the nice value given, and leaves the server's own thread at its own", async () => {
    const before = niceByThread();
    const summary = await pool.run({ id: 's', version: '1', files: [{ name: 'iptables-save.txt', text: '*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n' }] }, { kind: 'load' });
    expect(summary.formats.length).toBeGreaterThan(0);
    const after = niceByThread();
    const started = [...after].filter(([tid]) => !before.has(tid));
    expect(started.map(([, nice]) => nice)).toContain(7);
    expect(after.get(process.pid)).toBe(before.get(process.pid));
  });
});
