import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { generateScaleCluster, renderIptablesSave } from '@svcpath/kube-proxy-sim';
import { parseIP, type IP } from '@svcpath/netaddr';
import { scanIptablesSave, type ByteSource } from '@svcpath/parse-iptables';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { recentForReturningClient, trace, type L4Proto } from './index';

/**
 * A dump scanned in place (parse-iptables' scan.ts: the CLI's path for a large dump) traces exactly
 * as the same dump read whole: every outcome, probability, rule on the path and error, for kube-proxy's
 * conformance flows and for a generated cluster's Services of every kind.
 */
function memory(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(into, offset, length, position) {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      into.set(bytes.subarray(position, position + n), offset);
      return n;
    },
  };
}

function bothWays(name: string, text: string): { whole: Ruleset; scanned: Ruleset } {
  const r = scanIptablesSave(memory(Buffer.from(text, 'utf8')), { file: name });
  if ('refused' in r) throw new Error(r.refused);
  const scanned = loadRuleset([{ name, text: r.head, scanned: r }]);
  const whole = loadRuleset([{ name, text }]);
  expect(scanned.diagnostics).toEqual(whole.diagnostics);
  return { whole: whole.ruleset!, scanned: scanned.ruleset! };
}

interface Flow {
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
  readonly proto: L4Proto;
  readonly returningTo?: string;
}

function expectSameTraces(rs: { whole: Ruleset; scanned: Ruleset }, flows: readonly Flow[], nodeIPs: readonly IP[]) {
  for (const f of flows) {
    const one = (r: Ruleset) => {
      const src = parseIP(f.src)!;
      return trace(r, { src, dst: parseIP(f.dst)!, dport: f.dport, proto: f.proto }, { localAddresses: nodeIPs, ...(f.returningTo ? { recent: recentForReturningClient(r, src, f.returningTo) } : {}) });
    };
    expect(JSON.stringify(one(rs.scanned)), `${f.src} → ${f.dst}:${f.dport}`).toBe(JSON.stringify(one(rs.whole)));
  }
}

describe('a scanned dump traces as the dump read whole', () => {
  const root = join(import.meta.dirname, 'fixtures', 'kube-proxy-conformance');
  const cases = readdirSync(root).filter((d) => d.startsWith('iptables-') && (JSON.parse(readFileSync(join(root, d, 'flows.json'), 'utf8')) as unknown[]).length > 0);
  it('has conformance cases with flows', () => expect(cases.length).toBeGreaterThan(0));
  for (const dir of cases)
    it(`kube-proxy's ${dir}`, () => {
      const text = readFileSync(join(root, dir, 'iptables-save.txt'), 'utf8');
      const flows = (JSON.parse(readFileSync(join(root, dir, 'flows.json'), 'utf8')) as { sourceIP: string; destIP: string; destPort: number; protocol: L4Proto; returningTo?: string }[]).map((f) => ({ src: f.sourceIP, dst: f.destIP, dport: f.destPort, proto: f.protocol, ...(f.returningTo ? { returningTo: f.returningTo } : {}) }));
      const context = JSON.parse(readFileSync(join(root, dir, 'context.json'), 'utf8')) as { testNodeIPs: string[] };
      expectSameTraces(bothWays(dir, text), flows, context.testNodeIPs.map((a) => parseIP(a)!));
    });

  it('the hostile dumps: jump loops and nesting refused alike, with the same rule named', () => {
    const dir = join(import.meta.dirname, 'fixtures', 'hostile');
    // Hand-written without the built-in chains' declarations, which iptables-save always prints.
    const declared = (text: string) => text.replace('*filter\n', '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n');
    const files = readdirSync(dir).filter((n) => n.endsWith('.txt') && readFileSync(join(dir, n), 'utf8').includes('*filter\n'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const rs = bothWays(f, declared(readFileSync(join(dir, f), 'utf8')));
      for (const backend of ['nft', 'legacy', undefined] as const) {
        const one = (r: Ruleset) => trace(r, { src: parseIP('10.0.0.1')!, dst: parseIP('10.0.0.2')!, dport: 80, proto: 'tcp' }, { localAddresses: [], ...(backend ? { iptablesBackend: backend } : {}) }, { maxMillis: 20_000, now: () => performance.now() });
        expect(JSON.stringify(one(rs.scanned)), `${f} ${backend}`).toBe(JSON.stringify(one(rs.whole)));
      }
    }
  });

  it('a generated cluster: ClusterIPs from pods and the node, NodePorts, Services without endpoints, other addresses', () => {
    const cluster = generateScaleCluster({ services: 300, endpointsPerService: 3, seed: 7 });
    const text = renderIptablesSave(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR });
    const rs = bothWays('gen.txt', text);
    const node = cluster.nodes.find((n) => n.metadata.name === cluster.nodeName)!.status!.addresses![0]!.address;
    const flows: Flow[] = [];
    for (const s of cluster.services.filter((_, i) => i % 15 === 0)) {
      const port = s.spec!.ports![0]!;
      const proto = (port.protocol ?? 'TCP').toLowerCase() as L4Proto;
      for (const src of ['10.128.3.4', node, '192.0.2.9']) flows.push({ src, dst: s.spec!.clusterIP!, dport: port.port, proto });
      if (port.nodePort) flows.push({ src: '192.0.2.9', dst: node, dport: port.nodePort, proto });
    }
    flows.push({ src: '10.128.3.4', dst: '10.96.255.254', dport: 80, proto: 'tcp' });
    expectSameTraces(rs, flows, [parseIP(node)!]);
  });

  it('a trace through a long scanned KUBE-SERVICES reads only the rules it evaluates, one by one', () => {
    const cluster = generateScaleCluster({ services: 300, endpointsPerService: 3, seed: 7 });
    const rs = bothWays('gen.txt', renderIptablesSave(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR }));
    const services = rs.scanned.chains.get('nat/KUBE-SERVICES')!;
    const count = services.ruleCount!;
    expect(count).toBeGreaterThan(300);
    const read: number[] = [];
    const one = services.rule!.bind(services);
    const all = vi.spyOn(services, 'rules', 'get');
    Object.assign(services, { rule: (i: number) => (read.push(i), one(i)) });
    const s = cluster.services[150]!;
    const r = trace(rs.scanned, { src: parseIP('10.128.3.4')!, dst: parseIP(s.spec!.clusterIP!)!, dport: s.spec!.ports![0]!.port, proto: (s.spec!.ports![0]!.protocol ?? 'TCP').toLowerCase() as L4Proto }, { localAddresses: [] });
    expect(r.outcomes.length).toBeGreaterThan(0);
    // The kernel evaluates hundreds of its rules; the tracer reads a handful and never the whole chain.
    expect(r.outcomes[0]!.rulesEvaluated).toBeGreaterThan(100);
    expect(read.length).toBeGreaterThan(0);
    expect(new Set(read).size).toBeLessThan(10);
    expect(all).not.toHaveBeenCalled();
  });
});
