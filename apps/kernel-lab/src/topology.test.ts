import { describe, expect, it } from 'vitest';
import { planTopology } from './topology';

const names = { client: 'svcpath-t-c', node: 'svcpath-t-n', pods: 'svcpath-t-p' };
const spec = {
  nodeIPs: ['10.0.0.1', '10.0.0.2'],
  clientIPs: ['10.244.1.7', '192.0.2.9'],
  endpoints: [
    { ip: '10.1.0.5', port: 80, proto: 'tcp' as const },
    { ip: '10.1.0.5', port: 53, proto: 'udp' as const },
  ],
};

describe('planTopology', () => {
  const plan = planTopology(spec, names);

  it('creates the veth pairs directly inside the lab namespaces', () => {
    expect(plan.root).toContain(
      'link add to-node netns svcpath-t-c type veth peer name to-clients netns svcpath-t-n',
    );
    expect(plan.root).toContain(
      'link add to-pods netns svcpath-t-n type veth peer name to-node netns svcpath-t-p',
    );
  });

  it('puts the first node IP on the pod link before the scope-link next hop, so MASQUERADE picks it', () => {
    const first = plan.node.ip.indexOf('address add 10.0.0.1/32 dev to-pods');
    const hop = plan.node.ip.indexOf('address add 169.254.2.1/32 dev to-pods scope link');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(hop).toBeGreaterThan(first);
    expect(plan.node.ip).toContain('address add 10.0.0.2/32 dev lo');
  });

  it('routes clients and endpoints from N with onlink next hops, and defaults towards C', () => {
    expect(plan.node.ip).toContain('route add default via 169.254.1.2 dev to-clients onlink');
    expect(plan.node.ip).toContain('route add 192.0.2.9/32 via 169.254.1.2 dev to-clients onlink');
    expect(plan.node.ip.filter((l) => l.startsWith('route add 10.1.0.5/32'))).toHaveLength(1);
  });

  it('forwards only in N and never rate-limits ICMP', () => {
    expect(plan.node.sysctls).toContain('net.ipv4.ip_forward=1');
    expect(plan.client.sysctls).toContain('net.ipv4.ip_forward=0');
    for (const ns of [plan.client, plan.node, plan.pods]) {
      expect(ns.sysctls).toContain('net.ipv4.icmp_ratelimit=0');
      expect(ns.sysctls).toContain('net.ipv4.conf.all.rp_filter=0');
    }
  });

  it('answers in C only packets for addresses C does not own', () => {
    expect(plan.clientNft).toContain('ip daddr != { 169.254.1.2, 10.244.1.7, 192.0.2.9 }');
  });
});
