import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatKubeProxyRule } from './restore-format';
import { formatSaveRule } from './save-format';
import { tokenizeRuleLine } from './iptables-rule';
import { renderIptablesRules, renderIptablesSave } from './render-iptables';
import { overallEndpointSlices, overallOptions, overallServices } from './overall-rules.fixture';

// Golden test against kube-proxy's own expected output (see fixtures/README.md).
const expectedText = readFileSync(
  new URL('./fixtures/TestOverallIPTablesRules/iptables-save.txt', import.meta.url),
  'utf8',
);

interface Dump {
  chains: Map<string, Set<string>>;
  rules: Map<string, string[]>;
}

/** Per table: declared chains, and each chain's rules in order (kube-proxy's test also sorts chains). */
function parseDump(
  text: string,
  rule: (chain: string, args: string[]) => string,
  skipChains = new Set<string>(),
): Dump {
  const dump: Dump = { chains: new Map(), rules: new Map() };
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1);
      dump.chains.set(table, new Set());
    } else if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0]!;
      if (!skipChains.has(chain)) dump.chains.get(table)!.add(chain);
    } else if (line.startsWith('-A ')) {
      const [, chain, ...args] = tokenizeRuleLine(line);
      if (skipChains.has(chain!)) continue;
      const key = `${table} ${chain}`;
      dump.rules.set(key, [...(dump.rules.get(key) ?? []), rule(chain!, args)]);
    }
  }
  return dump;
}

/** Drops `-m nfacct --nfacct-name X`: a counter, not a condition, and it needs a kernel object. */
function withoutNfacct(args: string[]): string[] {
  const i = args.indexOf('nfacct');
  return i > 0 && args[i - 1] === '-m' ? [...args.slice(0, i - 1), ...args.slice(i + 3)] : args;
}

const builtins = new Set(['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING']);
const state = { services: overallServices, endpointSlices: overallEndpointSlices };

describe('TestOverallIPTablesRules (kube-proxy golden)', () => {
  it('yields the same chains and, chain by chain, the same rules after normalising argument order', () => {
    const canonical = (chain: string, args: string[]): string =>
      formatSaveRule({ chain, args: withoutNfacct(args) });
    const expected = parseDump(expectedText, canonical);
    // Our side is the iptables-save text, read back as-is (already canonical).
    const actual = parseDump(
      renderIptablesSave(state, overallOptions),
      (chain, args) => formatSaveRule({ chain, args }),
      builtins,
    );
    expect([...actual.chains.entries()].map(([t, c]) => [t, [...c].sort()])).toEqual(
      [...expected.chains.entries()].map(([t, c]) => [t, [...c].sort()]),
    );
    expect(Object.fromEntries(actual.rules)).toEqual(Object.fromEntries(expected.rules));
  });

  it("matches kube-proxy's own argument order exactly, rule by rule (nfacct matches removed)", () => {
    const verbatim = (chain: string, args: string[]): string =>
      formatKubeProxyRule({ chain, args: withoutNfacct(args) });
    const expected = parseDump(expectedText, verbatim);
    const { tables } = renderIptablesRules(state, overallOptions);
    const actual = new Map<string, string[]>();
    for (const t of tables) {
      for (const r of t.rules) {
        if (builtins.has(r.chain)) continue;
        const key = `${t.name} ${r.chain}`;
        actual.set(key, [...(actual.get(key) ?? []), formatKubeProxyRule(r)]);
      }
    }
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected.rules));
  });
});
