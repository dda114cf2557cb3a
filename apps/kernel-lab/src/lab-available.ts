/**
 * {@link labAvailable}: can this process build a lab? Tests call it to skip with a reason instead
 * of failing where namespaces cannot exist (not root, no `ip netns`, tools missing).
 */
import { randomBytes } from 'node:crypto';
import { runCommand, runInNamespace } from './run-command';

/** One answer per uid: a test can ask as another user (process.getuid mocked) in the same process. */
const cached = new Map<number | undefined, Promise<{ ok: true } | { ok: false; why: string }>>();

async function check(uid: number | undefined): Promise<{ ok: true } | { ok: false; why: string }> {
  if (process.platform !== 'linux')
    return { ok: false, why: `network namespaces need Linux, this is ${process.platform}` };
  if (uid !== 0)
    return {
      ok: false,
      why: `not root (uid ${uid ?? '?'}): creating network namespaces needs CAP_SYS_ADMIN`,
    };
  const ns = `svcpath-lab-check-${randomBytes(4).toString('hex')}`;
  try {
    await runCommand('ip', ['netns', 'add', ns]);
  } catch (err) {
    return { ok: false, why: `cannot create a network namespace: ${(err as Error).message}` };
  }
  try {
    for (const [cmd, args] of [
      ['iptables-restore', ['--version']],
      ['nft', ['--version']],
      ['conntrack', ['--version']],
      ['sysctl', ['-n', 'net.ipv4.ip_forward']],
    ] as const) {
      await runInNamespace(ns, cmd, args).catch((err: Error) => {
        throw new Error(
          `${cmd} does not run in a namespace (apt-get install iptables nftables conntrack procps): ${err.message}`,
        );
      });
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  } finally {
    await runCommand('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}

/** Resolves `{ ok: true }` when labs can be built here, else `{ ok: false, why }`. Checked once per process. */
export function labAvailable(): Promise<{ ok: true } | { ok: false; why: string }> {
  const uid = process.getuid?.();
  let answer = cached.get(uid);
  if (!answer) cached.set(uid, (answer = check(uid)));
  return answer;
}
