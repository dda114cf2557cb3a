import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseKubeProxyConfig } from './kube-proxy-config.js';

const fixture = JSON.parse(
  fs.readFileSync(
    path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'configmap-kube-proxy.json'),
    'utf8',
  ),
) as { data: Record<string, string> };

describe('parseKubeProxyConfig', () => {
  it("reads kubeadm's config.conf", () => {
    const result = parseKubeProxyConfig(fixture.data['config.conf'] ?? '');
    expect(result).toEqual({
      kind: 'parsed',
      config: expect.objectContaining({
        apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
        kind: 'KubeProxyConfiguration',
        mode: 'iptables',
        clusterCIDR: '10.244.0.0/16',
        detectLocalMode: '',
      }),
    });
    // Only routing fields survive: not clientConnection.kubeconfig, logging, conntrack…
    expect(JSON.stringify(result)).not.toMatch(/clientConnection|kubeconfig|logging|winkernel/);
  });

  it('reads an IPVS configuration with flow sequences, comments and quoting', () => {
    const text = [
      'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
      'kind: KubeProxyConfiguration',
      'mode: "ipvs"   # set by the installer',
      "clusterCIDR: '10.42.0.0/16'",
      'nodePortAddresses: [192.168.0.0/16, "10.0.0.0/8"]',
      'detectLocalMode: InterfaceNamePrefix',
      'detectLocal:',
      '  interfaceNamePrefix: veth',
      'iptables:',
      '  masqueradeAll: true',
      '  masqueradeBit: 14',
      'ipvs:',
      '  scheduler: wrr',
      '  strictARP: true',
    ].join('\n');
    expect(parseKubeProxyConfig(text)).toEqual({
      kind: 'parsed',
      config: expect.objectContaining({
        mode: 'ipvs',
        clusterCIDR: '10.42.0.0/16',
        nodePortAddresses: ['192.168.0.0/16', '10.0.0.0/8'],
        detectLocalMode: 'InterfaceNamePrefix',
        detectLocal: expect.objectContaining({ interfaceNamePrefix: 'veth' }),
        iptables: expect.objectContaining({ masqueradeAll: true, masqueradeBit: 14 }),
        ipvs: expect.objectContaining({ scheduler: 'wrr', strictARP: true }),
      }),
    });
  });

  it('reads JSON', () => {
    const result = parseKubeProxyConfig(
      '{"kind":"KubeProxyConfiguration","mode":"nftables","nftables":{"masqueradeBit":14}}',
    );
    expect(result).toMatchObject({
      kind: 'parsed',
      config: { mode: 'nftables', nftables: { masqueradeBit: 14 } },
    });
  });

  it('says what is wrong instead of throwing', () => {
    expect(parseKubeProxyConfig('mode: [unclosed')).toMatchObject({ kind: 'invalid' });
    expect(parseKubeProxyConfig('iptables:\n  masqueradeBit: fourteen\n')).toEqual({
      kind: 'invalid',
      reason: 'iptables.masqueradeBit: Invalid input: expected number, received string',
    });
    expect(parseKubeProxyConfig('')).toMatchObject({ kind: 'invalid' });
  });
});
