import { spawnSync } from 'node:child_process';

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `f` `runs` times and returns the median wall time in ms (and the last result). */
export function timeMedian<T>(runs: number, f: () => T): { ms: number; runs: number[]; value: T } {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = f();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), runs: times, value };
}

/** Runs a command with `input` on stdin inside a throwaway network namespace; returns ms or why not. */
export function timeInNetns(cmd: string[], inputFile: string, timeoutMs: number): { ms: number } | { error: string } {
  const ns = `svcpath-bench-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', ns]);
  if (add.status !== 0) return { error: `cannot create a network namespace (${add.stderr.toString().trim() || 'not root?'})` };
  try {
    const t0 = performance.now();
    const r = spawnSync('sh', ['-c', `ip netns exec ${ns} ${cmd.join(' ')} < ${inputFile}`], { timeout: timeoutMs });
    const ms = performance.now() - t0;
    if (r.error) return { error: `${cmd[0]} did not finish in ${timeoutMs / 1000} s` };
    if (r.status !== 0) return { error: `${cmd[0]} exited ${r.status}: ${r.stderr.toString().trim().slice(0, 200)}` };
    return { ms };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 1 ? `${ms.toFixed(1)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}
