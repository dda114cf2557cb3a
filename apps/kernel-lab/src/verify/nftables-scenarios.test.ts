/**
 * The kernel-verified suite for nftables mode: kube-proxy's own expected ruleset for
 * TestOverallNFTablesRules (Apache-2.0, packages/tracer/src/fixtures/kube-proxy-conformance), as the
 * kernel lists it, loaded with `nft -f` into a node namespace of our own and probed with real
 * connections. Traffic stays inside the lab's namespaces.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { createLab } from '../lab';
import { labAvailable } from '../lab-available';
import type { Lab } from '../lab-types';
import { checkFlow, describeCheck, type Flow } from './compare-trace';

const RULESET = join(import.meta.dirname, '../../../../packages/tracer/src/fixtures/kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-list-ruleset.kernel.txt');
const NODE_IPS = ['192.168.0.2'];
const POD = '10.0.0.2';
const EXTERNAL = '203.0.113.2';
const BLOCKED = '203.0.113.130';

const flows: Flow[] = [
  { name: 'pod to ClusterIP', src: POD, dst: '172.30.0.41', dport: 80, proto: 'tcp' },
  { name: 'off-cluster client to ClusterIP: masqueraded', src: EXTERNAL, dst: '172.30.0.41', dport: 80, proto: 'tcp' },
  { name: 'two endpoints through numgen', src: POD, dst: '172.30.0.44', dport: 80, proto: 'tcp' },
  { name: 'external IP, masqueraded', src: EXTERNAL, dst: '192.168.99.33', dport: 80, proto: 'tcp' },
  { name: 'Service without endpoints: rejected', src: POD, dst: '172.30.0.46', dport: 80, proto: 'tcp' },
  { name: 'wrong port of a ClusterIP: rejected by cluster-ips-check', src: POD, dst: '172.30.0.41', dport: 81, proto: 'tcp' },
  { name: 'unallocated ClusterIP: dropped', src: POD, dst: '172.30.0.99', dport: 80, proto: 'tcp' },
  { name: 'LoadBalancer, allowed source range, affinity', src: EXTERNAL, dst: '5.6.7.8', dport: 80, proto: 'tcp' },
  { name: 'LoadBalancer, source outside the ranges: dropped', src: BLOCKED, dst: '5.6.7.8', dport: 80, proto: 'tcp' },
  { name: 'NodePort', src: EXTERNAL, dst: '192.168.0.2', dport: 3003, proto: 'tcp' },
  { name: 'eTP Local NodePort without local endpoints: dropped', src: EXTERNAL, dst: '192.168.0.2', dport: 3001, proto: 'tcp' },
  { name: 'eTP Local LB IP from a pod: short-circuited to the Service', src: POD, dst: '1.2.3.4', dport: 80, proto: 'tcp' },
  { name: 'the node itself to ClusterIP (OUTPUT hook)', src: '192.168.0.2', dst: '172.30.0.44', dport: 80, proto: 'tcp', fromNode: true },
  { name: 'affinity: a returning client sticks', src: POD, dst: '172.30.0.45', dport: 80, proto: 'tcp', returning: true, tries: 40 },
];

const available = await labAvailable();

describe.skipIf(!available.ok)(`kernel-verified: nftables mode${available.ok ? '' : ` (skipped: ${available.why})`}`, () => {
  let lab: Lab;
  let rs: Ruleset;
  const text = readFileSync(RULESET, 'utf8');

  beforeAll(async () => {
    const endpoints = [1, 2, 3, 4, 5].map((i) => ({ ip: `10.180.0.${i}`, port: 80, proto: 'tcp' as const }));
    lab = await createLab({ nodeIPs: NODE_IPS, clientIPs: [POD, EXTERNAL, BLOCKED], endpoints }, { name: 'nft' });
    await lab.restoreNft(text);
    const loaded = loadRuleset([{ name: 'nft-list-ruleset.kernel.txt', text }]);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    rs = loaded.ruleset!;
  }, 120_000);
  afterAll(async () => lab?.destroy());

  for (const flow of flows) {
    it(flow.name, async () => {
      const check = await checkFlow(lab, rs, flow, { nodeIPs: NODE_IPS, masqueradeSource: NODE_IPS[0]! });
      expect(check.mismatches, describeCheck(check)).toEqual([]);
    }, 60_000);
  }
});
