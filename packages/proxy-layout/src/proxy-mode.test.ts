import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleset } from '@svcpath/ruleset';
import { detectProxyMode, iptablesBackend } from './index';

const FIX = join(import.meta.dirname, '../../tracer/src/fixtures');
const read = (p: string) => ({ name: p.split('/').at(-1)!, text: readFileSync(join(FIX, p), 'utf8') });

describe('detectProxyMode', () => {
  it('iptables, nftables and IPVS nodes', () => {
    expect(detectProxyMode(loadRuleset([read('kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt')]).ruleset!).mode).toBe('iptables');
    expect(detectProxyMode(loadRuleset([read('kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-list-ruleset.kernel.txt')]).ruleset!).mode).toBe('nftables');
    const ipvs = loadRuleset(['iptables-save.txt', 'ipvsadm-Sn.txt', 'ipset-save.txt'].map((f) => read(`ipvs-mode/${f}`))).ruleset!;
    expect(detectProxyMode(ipvs)).toMatchObject({ mode: 'ipvs', warnings: [] });
  });

  it('a lazily read nft dump (which knows its ipset rules) is still seen as nftables, beside IPVS tables too', () => {
    const nft = read('kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-list-ruleset.kernel.txt');
    const alone = loadRuleset([nft]).ruleset!;
    expect(alone.kubeIpsetRules).toBe(false);
    expect(detectProxyMode(alone, [{ file: nft.name, backend: iptablesBackend(nft.name, nft.text) }])).toMatchObject({ mode: 'nftables', warnings: [] });
    const withIpvs = loadRuleset([nft, read('ipvs-mode/ipvsadm-Sn.txt')]).ruleset!;
    expect(detectProxyMode(withIpvs).mode).toBe('mixed');
    expect(detectProxyMode(withIpvs).warnings.join(' ')).toContain('nftables');
  });

  it('recognises the legacy userspace mode', () => {
    const dump = `*nat
:PREROUTING ACCEPT [0:0]
:KUBE-PORTALS-CONTAINER - [0:0]
-A PREROUTING -j KUBE-PORTALS-CONTAINER
-A KUBE-PORTALS-CONTAINER -d 10.0.0.1/32 -p tcp -m comment --comment "default/kubernetes:https" -m tcp --dport 443 -j REDIRECT --to-ports 36319
COMMIT
`;
    const r = detectProxyMode(loadRuleset([{ name: 'old.txt', text: dump }]).ruleset!);
    expect(r.mode).toBe('userspace');
    expect(r.evidence[0]).toMatch(/REDIRECT Service traffic to kube-proxy itself/);
  });

  it('warns when both iptables backends hold kube-proxy rules', () => {
    const a = read('kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt');
    const files = [
      { name: 'iptables-legacy-save.txt', text: a.text },
      { name: 'iptables-nft-save.txt', text: a.text },
    ];
    const rs = loadRuleset(files).ruleset!;
    const r = detectProxyMode(rs, files.map((f) => ({ file: f.name, backend: iptablesBackend(f.name, f.text) })));
    expect(r.warnings[0]).toMatch(/both iptables-legacy .* and iptables-nft/);
  });

  it('stays quiet about backends on an ordinary node', () => {
    const f = read('kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt');
    expect(detectProxyMode(loadRuleset([f]).ruleset!, [{ file: f.name, backend: 'nft' }]).warnings).toEqual([]);
  });
});
