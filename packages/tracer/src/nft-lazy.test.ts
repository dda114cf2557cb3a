import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIPv4, parseIP } from '@svcpath/netaddr';
import { parseNftText } from '@svcpath/parse-nft';
import { fromNft, loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { trace, type L4Proto } from './index';

/**
 * nft text is read lazily (parse-nft's chain-scan.ts: chains' rules read when a walk reaches
 * them; the structure check reads the jump graph the scan found): every trace must be the one of
 * the same dump read at once, outcomes, probabilities, rules on the path and refusals alike.
 */
function bothWays(name: string, text: string): { lazy: Ruleset; eager: Ruleset } {
  const lazy = loadRuleset([{ name, text }]);
  const eager = parseNftText(text, { file: name, eager: true });
  expect(lazy.diagnostics.map((d) => d.message)).toEqual(eager.diagnostics.map((d) => d.message));
  return { lazy: lazy.ruleset!, eager: fromNft(eager.ruleset, name) };
}

interface Flow {
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
  readonly proto: L4Proto;
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

function expectSameTraces(rs: { lazy: Ruleset; eager: Ruleset }, flows: readonly Flow[], node: string) {
  expect(flows.length).toBeGreaterThan(0);
  for (const f of flows) {
    const one = (r: Ruleset) => trace(r, { src: parseIP(f.src)!, dst: parseIP(f.dst)!, dport: f.dport, proto: f.proto }, { localAddresses: [parseIP(node)!] }, { maxMillis: 20_000, now: () => performance.now() });
    expect(json(one(rs.lazy)), `${f.src} → ${f.dst}:${f.dport}`).toBe(json(one(rs.eager)));
  }
}

/** A flow to every address, protocol and port a verdict map of the ruleset keys on, from a pod, the node and outside. */
function flowsOf(rs: Ruleset, node: string): Flow[] {
  const flows: Flow[] = [];
  for (const set of rs.sets.values())
    for (const e of set.elements) {
      const [addr, proto, port] = e.key;
      if (addr?.kind !== 'cidr' || proto?.kind !== 'proto' || port?.kind !== 'ports' || addr.cidr.family !== 4) continue;
      const p = proto.proto as L4Proto;
      if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') continue;
      for (const src of ['10.0.0.7', node, '192.0.2.9']) flows.push({ src, dst: formatIPv4(Number(addr.cidr.addr)), dport: port.from, proto: p });
    }
  return flows;
}

describe('nft text read lazily traces as read at once', () => {
  const fixtures = join(import.meta.dirname, 'fixtures');

  it("kube-proxy's nftables conformance dumps (kernel listing and transaction)", () => {
    const dir = join(fixtures, 'kube-proxy-conformance', 'nftables-TestOverallNFTablesRules');
    for (const f of ['nft-list-ruleset.kernel.txt', 'nft-ruleset.txt']) {
      const rs = bothWays(f, readFileSync(join(dir, f), 'utf8'));
      expectSameTraces(rs, [...flowsOf(rs.eager, '192.168.0.2'), { src: '10.0.0.7', dst: '10.0.0.99', dport: 80, proto: 'tcp' }], '192.168.0.2');
    }
  });

  it('the nft hostile dumps: loops and nesting refused alike, naming the same rule', () => {
    const dir = join(fixtures, 'hostile');
    const files = readdirSync(dir).filter((n) => n.endsWith('.nft'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const rs = bothWays(f, readFileSync(join(dir, f), 'utf8'));
      expectSameTraces(rs, [{ src: '10.0.0.1', dst: '10.0.0.2', dport: 80, proto: 'tcp' }], '10.0.0.9');
    }
  });

  it('pasted fragments (chains without their table, a table without its base chains)', () => {
    const dir = join(fixtures, 'partial-pastes');
    for (const f of readdirSync(dir).filter((n) => n.startsWith('nft-'))) {
      const rs = bothWays(f, readFileSync(join(dir, f), 'utf8'));
      expectSameTraces(rs, [...flowsOf(rs.eager, '10.0.0.9'), { src: '10.0.0.7', dst: '10.96.0.10', dport: 53, proto: 'udp' }], '10.0.0.9');
    }
  });

  it('a loop deep among many lazily read chains is refused, naming the rule the eager reading names', () => {
    const chains = Array.from({ length: 300 }, (_, i) => `\tchain c${i} {\n\t\tip saddr 10.0.${i >> 8}.${i & 255} jump c${i + 1}\n\t}`);
    chains.push('\tchain c300 {\n\t\tip daddr 10.9.9.9 jump c150\n\t}');
    const text = `table ip t {\n\tchain base {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tjump c0\n\t}\n${chains.join('\n')}\n}\n`;
    const rs = bothWays('loop.nft', text);
    expect(rs.lazy.jumpGraph).toBeDefined();
    const r = trace(rs.lazy, { src: parseIP('10.0.0.1')!, dst: parseIP('10.0.0.2')!, dport: 80, proto: 'tcp' }, { localAddresses: [] });
    expect(r.error?.code).toBe('RULESET_JUMP_LOOP');
    expectSameTraces(rs, [{ src: '10.0.0.1', dst: '10.0.0.2', dport: 80, proto: 'tcp' }], '10.0.0.9');
  });
});
