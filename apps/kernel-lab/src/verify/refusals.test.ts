import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset } from '@svcpath/ruleset';
import { trace } from '@svcpath/tracer';
import { labAvailable } from '../lab-available';
import { runCommand, runInNamespace } from '../run-command';

/**
 * The kernel is the judge of what it refuses to load: each hostile fixture (packages/tracer's
 * fixtures/hostile) is loaded with iptables-nft-restore, iptables-legacy-restore or nft -f in a
 * namespace of this test's own, and the tracer must refuse exactly what the loader refuses.
 */
const DIR = join(import.meta.dirname, '..', '..', '..', '..', 'packages', 'tracer', 'src', 'fixtures', 'hostile');
const available = await labAvailable();
const legacy = available.ok ? await runCommand('iptables-legacy-restore', ['--version']).then(() => true, () => false) : false;

const cases: { file: string; loader: 'iptables-nft' | 'iptables-legacy' | 'nft' }[] = [
  ...['stat-self-jump.txt', 'stat-loop-six.txt', 'nest-15.txt', 'nest-16.txt', 'diamond-15.txt', 'diamond-30.txt', 'mark-bits-20.txt'].flatMap((file) => [
    { file, loader: 'iptables-nft' as const },
    ...(legacy ? [{ file, loader: 'iptables-legacy' as const }] : []),
  ]),
  ...['nft-loop.nft', 'nft-nest-15.nft', 'nft-nest-16.nft'].map((file) => ({ file, loader: 'nft' as const })),
];

describe.skipIf(!available.ok)(`kernel-verified: what the kernel refuses to load${available.ok ? '' : ` (skipped: ${available.why})`}`, () => {
  const ns = `svcpath-refuse-${randomBytes(4).toString('hex')}`;
  beforeAll(() => runCommand('ip', ['netns', 'add', ns]));
  afterAll(() => runCommand('ip', ['netns', 'del', ns]).catch(() => undefined));

  it.each(cases)('$file with $loader', async ({ file, loader }) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    await runInNamespace(ns, 'nft', ['flush', 'ruleset']);
    if (legacy) for (const t of ['filter', 'mangle']) await runInNamespace(ns, 'iptables-legacy', ['-t', t, '-F']).catch(() => undefined);
    const cmd = loader === 'nft' ? 'nft' : `${loader}-restore`;
    const loaded = await runInNamespace(ns, cmd, loader === 'nft' ? ['-f', '-'] : [], text).then(
      () => true,
      () => false,
    );
    const rs = loadRuleset([{ name: file, text }]).ruleset!;
    const node = parseIP('10.0.0.10')!;
    const r = trace(rs, { src: parseIP('10.0.0.2')!, dst: node, dport: 80, proto: 'tcp' }, { localAddresses: [node], ...(loader === 'nft' ? {} : { iptablesBackend: loader === 'iptables-nft' ? 'nft' : 'legacy' }) });
    const refused = r.error?.code === 'RULESET_JUMP_LOOP' || r.error?.code === 'RULESET_JUMP_TOO_DEEP';
    expect({ file, loader, refused }).toEqual({ file, loader, refused: !loaded });
  });
});
