import { afterAll, describe, expect, it } from 'vitest';
import { EnginePool } from './engine-pool';

/**
 * A parse nobody waits for any more is stopped, not finished (issue 10: a cancelled import of a big
 * dump must not keep a core busy). Generated here: one nat chain of 60,000 rules, about 8 MB.
 */
const RULES = 60_000;
const dump = [
  '# generated in this test',
  '*nat',
  ':KUBE-SERVICES - [0:0]',
  ...Array.from({ length: RULES }, (_, i) => `-A KUBE-SERVICES -d 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 -p tcp -m comment --comment "ns/svc-${i}:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ`),
  'COMMIT',
  '',
].join('\n');

const logged: string[] = [];
const pool = new EnginePool({ maxWorkers: 1, log: (l) => logged.push(l) });
afterAll(() => pool.close());

const snapshot = (id: string) => ({ id, version: '1', files: [{ name: 'iptables-save.txt', text: dump }] });

describe('EnginePool: a cancelled parse', () => {
  it('is stopped: the request ends CANCELLED well before a whole parse would, and the pool goes on', { timeout: 120_000 }, async () => {
    const t0 = performance.now();
    const whole = await pool.run(snapshot('whole'), { kind: 'load' });
    const parseMs = performance.now() - t0;
    expect(whole.chainCount).toBeGreaterThan(0);

    const cancel = new AbortController();
    const t1 = performance.now();
    const run = pool.run(snapshot('cancelled'), { kind: 'load' }, { signal: cancel.signal });
    setTimeout(() => cancel.abort(), Math.min(200, parseMs / 4));
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(performance.now() - t1).toBeLessThan(parseMs * 0.75);

    // The worker that held "whole" was stopped with it: it is parsed again on demand, and answers.
    expect((await pool.run(snapshot('whole'), { kind: 'load' })).chainCount).toBe(whole.chainCount);
    // Stopped mid-parse, the log says so; cancelled before the parse began, nothing was stopped.
    for (const l of logged) expect(l).toMatch(/cancelled; its worker was stopped/);
  });
});
