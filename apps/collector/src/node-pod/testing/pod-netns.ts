/**
 * Test support: a "node" for the dump Pod — a network namespace holding a small kube-proxy-like
 * iptables ruleset — and a runner that plays the kubelet's part: it runs the created Pod's
 * container command, unchanged, inside that namespace (`ip netns exec NS /bin/sh -c SCRIPT`) with
 * the container's env, and streams its output as the container log. So the log the collector
 * splits is the real script's real output over the real kernel's rules.
 *
 * The only test double is in `doublesDir`: an `ipset` that prints slowly forever (ipset is not
 * installed here), for the per-command timeout test. It is put on PATH only when asked for.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** shop/frontend-like rules; chain names unique to these tests. */
export const POD_NETNS_RULES = `*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-SVCPATHPODTEST01 - [0:0]
:KUBE-SEP-SVCPATHPODTEST01 - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.88.5/32 -p tcp -m comment --comment "shop/frontend:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-SVCPATHPODTEST01
-A KUBE-SVC-SVCPATHPODTEST01 -m comment --comment "shop/frontend:http -> 10.244.1.7:8080" -j KUBE-SEP-SVCPATHPODTEST01
-A KUBE-SEP-SVCPATHPODTEST01 -p tcp -m comment --comment "shop/frontend:http" -m tcp -j DNAT --to-destination 10.244.1.7:8080
COMMIT
`;

/** Why the namespace cannot be built here, or undefined when it can. */
export function podNetnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const tool of ['ip', 'iptables-restore', 'iptables-save', 'timeout'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  return undefined;
}

const containerSchema = z.looseObject({
  command: z.array(z.string()).min(1),
  env: z.array(z.object({ name: z.string(), value: z.string() })).default([]),
});
const podSchema = z.looseObject({ spec: z.looseObject({ containers: z.array(containerSchema).min(1) }) });

export interface PodNetns {
  readonly ns: string;
  readonly doublesDir: string;
  /** `FakePodLifecycle.run`: runs the Pod's container command in the namespace. */
  run(pod: unknown, write: (chunk: string) => void, signal: AbortSignal): Promise<number>;
  /** Runs a command line (argv) in the namespace with `env`, as the container would. */
  exec(
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
    write: (chunk: string) => void,
    signal?: AbortSignal,
  ): Promise<number>;
  cleanup(): void;
}

export function startPodNetns(options: { withDoubles?: boolean } = {}): PodNetns {
  const ns = `svcpath-pod-${randomBytes(3).toString('hex')}`;
  const doublesDir = mkdtempSync(join(tmpdir(), 'svcpath-pod-doubles-'));
  // TEST DOUBLE: ipset that never finishes (prints a line a second), for the timeout test.
  writeFileSync(
    join(doublesDir, 'ipset'),
    '#!/bin/sh\nwhile :; do echo "create slow-set hash:ip"; sleep 1; done\n',
  );
  chmodSync(join(doublesDir, 'ipset'), 0o755);
  const children = new Set<ReturnType<typeof spawn>>();
  const cleanup = (): void => {
    for (const child of children) child.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(doublesDir, { recursive: true, force: true });
    process.removeListener('exit', cleanup);
  };
  process.once('exit', cleanup);
  const added = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`ip netns add ${ns}: ${added.stderr}`);
  spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const loaded = spawnSync('ip', ['netns', 'exec', ns, 'iptables-restore'], {
    input: POD_NETNS_RULES,
    encoding: 'utf8',
  });
  if (loaded.status !== 0) {
    cleanup();
    throw new Error(`iptables-restore in ${ns}: ${loaded.stderr}`);
  }
  const basePath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  const exec: PodNetns['exec'] = (argv, env, write, signal) =>
    new Promise((resolve) => {
      const path = options.withDoubles ? `${doublesDir}:${basePath}` : basePath;
      const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
        env: { PATH: path, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group, so a kill reaches the script's children too
      });
      children.add(child);
      const onAbort = (): void => {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.setEncoding('utf8').on('data', write);
      child.stderr.setEncoding('utf8').on('data', write);
      child.on('close', (code) => {
        children.delete(child);
        signal?.removeEventListener('abort', onAbort);
        resolve(code ?? 137);
      });
    });
  return {
    ns,
    doublesDir,
    exec,
    run(pod, write, signal) {
      const container = podSchema.parse(pod).spec.containers[0];
      if (container === undefined) return Promise.resolve(1);
      const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
      // The container mounts an emptyDir at /tmp (TMPDIR); here the host's /tmp plays that part.
      return exec(container.command, { ...env, TMPDIR: tmpdir() }, write, signal);
    },
    cleanup,
  };
}
