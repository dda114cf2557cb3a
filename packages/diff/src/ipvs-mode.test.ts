/**
 * IPVS mode: the hand-written IPVS node of packages/tracer/src/fixtures/ipvs-mode (ipvsadm -Sn,
 * ipset save, iptables-save; see its README), diffed with itself and with a copy where one real
 * server's weight went to 0 (kube-proxy's graceful termination).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRuleset } from '@svcpath/ruleset';
import { describeChange } from './describe-change';
import { diffRulesets } from './diff-rulesets';
import type { DiffSide } from './model';

const dir = new URL('../../tracer/src/fixtures/ipvs-mode/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir), 'utf8');
const side = (label: string, ipvsadm: string): DiffSide => ({
  label,
  ruleset: loadRuleset([
    { name: 'iptables-save.txt', text: read('iptables-save.txt') },
    { name: 'ipset-save.txt', text: read('ipset-save.txt') },
    { name: 'ipvsadm-Sn.txt', text: ipvsadm },
  ]).ruleset!,
  nodeIPs: ['192.168.49.2'],
});

describe('IPVS mode', () => {
  const original = read('ipvsadm-Sn.txt');

  it('a node diffed with itself: nothing', () => {
    const s = side('a', original);
    const r = diffRulesets(s, s);
    expect(r.compared).toBeGreaterThan(3);
    expect(r.servicePorts).toEqual([]);
  });

  it('a real server drained to weight 0: removed, the others take its share', () => {
    // kube-proxy drains a terminating endpoint in every virtual service of the Service (ClusterIP, NodePort, LB).
    const drained = original.replaceAll('-r 10.244.1.6:8080 -m -w 1', '-r 10.244.1.6:8080 -m -w 0');
    const r = diffRulesets(side('before', original), side('after', drained));
    const port = r.servicePorts.find((p) => p.key === 'tcp 10.101.23.45:80');
    expect(port?.changes.map(describeChange)).toEqual(['endpoint 10.244.1.6:8080 removed (had 50%)', 'endpoint 10.244.1.5:8080: share 50% → 100%']);
    expect(port?.changes[0]!.evidence.before.some((l) => l.file === 'ipvsadm-Sn.txt')).toBe(true);
  });
});
