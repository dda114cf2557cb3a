import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceChains } from '@svcpath/proxy-layout';
import { loadRuleset } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { WEB, endpointSlice, renderRules, service } from './scenario.fixture';
import { ladderChains, serviceLadders } from './svc-ladder';

// kube-proxy's own expected dump (packages/tracer/src/fixtures/kube-proxy-conformance, Apache-2.0).
const FILE = join(import.meta.dirname, '../../tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt');
const rs = loadRuleset([{ name: 'overall.txt', text: readFileSync(FILE, 'utf8') }]).ruleset!;
const ports = [...new Set(serviceChains(rs).values())];

describe('service ladders', () => {
  it('ladderChains names the chains serviceLadders reads, in the same order, for every port', () => {
    for (const port of ports) expect(ladderChains(rs, port).map((l) => [l.chain.id, l.kind])).toEqual(serviceLadders(rs, port).map((l) => [l.chain.id, l.kind]));
  });

  it('a rendered port: its KUBE-SVC chain, as serviceLadders has it', () => {
    const state = { services: [service(WEB)], endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.1.5', node: 'node-b' }], { http: 8080 })] };
    const rendered = renderRules(state).ruleset;
    const chains = ladderChains(rendered, 'shop/web:http');
    expect(chains.map((l) => l.kind)).toEqual(['svc']);
    expect(chains.map((l) => l.chain.id)).toEqual(serviceLadders(rendered, 'shop/web:http').map((l) => l.chain.id));
    expect(ladderChains(rendered, 'shop/none:http')).toEqual([]);
  });
});
