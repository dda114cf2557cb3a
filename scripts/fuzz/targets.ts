import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpset, parseIpvsadm } from '@svcpath/parse-ipvs';
import { parseIptablesSave } from '@svcpath/parse-iptables';
import { parseNftJson, parseNftText } from '@svcpath/parse-nft';
import { loadRuleset } from '@svcpath/ruleset';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** A parser under fuzz: the fixtures it is fed mutations of, and how to call it. */
export interface FuzzTarget {
  readonly name: string;
  readonly seeds: readonly string[];
  readonly json?: boolean;
  /** Must not throw, whatever the text. */
  run(text: string): unknown;
}

/** Fixture paths are the repository's own dumps; each parser gets its format. */
export function fuzzTargets(): FuzzTarget[] {
  const iptables = [
    read('packages/tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt'),
    read('packages/tracer/src/fixtures/hostile/diamond-15.txt'),
    read('packages/tracer/src/fixtures/hostile/stat-loop-six.txt'),
  ];
  const nftText = [
    read('packages/tracer/src/fixtures/kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-list-ruleset.kernel.txt'),
    read('packages/tracer/src/fixtures/kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-ruleset.txt'),
    read('packages/tracer/src/fixtures/hostile/nft-nest-16.nft'),
  ];
  const nftJson = [read('packages/parse-nft/src/fixtures/kube-proxy.json')];
  const ipvs = [read('packages/tracer/src/fixtures/ipvs-mode/ipvsadm-Ln.txt')];
  const ipset = [read('packages/tracer/src/fixtures/ipvs-mode/ipset-save.txt')];
  return [
    { name: 'parse-iptables', seeds: iptables, run: (t) => parseIptablesSave(t, { file: 'fuzz.txt' }) },
    { name: 'parse-nft (text)', seeds: nftText, run: (t) => parseNftText(t, { file: 'fuzz.nft' }) },
    { name: 'parse-nft (json)', seeds: nftJson, json: true, run: (t) => parseNftJson(t, { file: 'fuzz.json' }) },
    { name: 'parse-ipvs (ipvsadm)', seeds: ipvs, run: (t) => parseIpvsadm(t, { file: 'ipvsadm.txt' }) },
    { name: 'parse-ipvs (ipset)', seeds: ipset, run: (t) => parseIpset(t, { file: 'ipset.txt' }) },
    { name: 'ruleset loader (all formats)', seeds: [...iptables, ...nftText], run: (t) => loadRuleset([{ name: 'fuzz.txt', text: t }]) },
  ];
}
