import { describe, expect, it } from 'vitest';
import { tokenizeRuleLine } from './iptables-rule';
import { kubeProxyProbability, savedProbability } from './probability';
import { formatSaveRule, saveString } from './save-format';

/**
 * Each pair: a rule in kube-proxy's argument order, and the line iptables-save v1.8.9 (nf_tables)
 * printed for it after iptables-restore in a throwaway network namespace on this project's machine.
 */
const KERNEL_PAIRS: [string, string][] = [
  [
    '-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT',
    '-A KUBE-SERVICES -d 172.30.0.46/32 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
  ],
  [
    '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
  ],
  [
    '-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP',
    '-A KUBE-SERVICES -p tcp -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 3001 -j DROP',
  ],
  ['-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000', '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000'],
  ['-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000', '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0'],
  [
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
  ],
  [
    '-A KUBE-SVC-X -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
    '-A KUBE-SVC-X ! -s 10.0.0.0/8 -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
  ],
  [
    '-A KUBE-SVC-X -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-A --rcheck --seconds 10800 --reap -j KUBE-SEP-A',
    '-A KUBE-SVC-X -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask 255.255.255.255 --rsource -j KUBE-SEP-A',
  ],
  [
    '-A KUBE-SEP-A -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-A --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80',
    '-A KUBE-SEP-A -p tcp -m comment --comment "ns5/svc5:p80" -m recent --set --name KUBE-SEP-A --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.180.0.3:80',
  ],
  [
    '-A KUBE-SVC-X -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-A',
    '-A KUBE-SVC-X -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-A',
  ],
  [
    '-A KUBE-SVC-X -m statistic --mode random --probability 0.2000000000 -j KUBE-SEP-A',
    '-A KUBE-SVC-X -m statistic --mode random --probability 0.20000000019 -j KUBE-SEP-A',
  ],
  [
    '-A KUBE-SVC-X -m statistic --mode random --probability 0.1000000000 -j KUBE-SEP-A',
    '-A KUBE-SVC-X -m statistic --mode random --probability 0.10000000009 -j KUBE-SEP-A',
  ],
  [
    '-A KUBE-SVC-X -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-A',
    '-A KUBE-SVC-X -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-A',
  ],
  [
    '-A KUBE-FW-A -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"',
    '-A KUBE-FW-A -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"',
  ],
  [
    '-A KUBE-SEP-B -m udp -p udp -j DNAT --to-destination 10.180.0.3:53',
    '-A KUBE-SEP-B -p udp -m udp -j DNAT --to-destination 10.180.0.3:53',
  ],
  [
    '-A KUBE-SERVICES -m comment --comment plain_-x -j DROP',
    '-A KUBE-SERVICES -m comment --comment plain_-x -j DROP',
  ],
  [
    '-A KUBE-SERVICES -m comment --comment x -m udp -p udp -d 1.2.3.4 --dport 53 -j KUBE-FW-A',
    '-A KUBE-SERVICES -d 1.2.3.4/32 -p udp -m comment --comment x -m udp --dport 53 -j KUBE-FW-A',
  ],
];

describe('formatSaveRule', () => {
  it.each(KERNEL_PAIRS)('%s', (input, saved) => {
    const [, chain, ...args] = tokenizeRuleLine(input);
    expect(formatSaveRule({ chain: chain!, args })).toBe(saved);
  });

  it('is idempotent on its own output', () => {
    for (const [, saved] of KERNEL_PAIRS) {
      const [, chain, ...args] = tokenizeRuleLine(saved);
      expect(formatSaveRule({ chain: chain!, args })).toBe(saved);
    }
  });
});

describe('saveString', () => {
  it('quotes and escapes like libxtables', () => {
    expect(saveString('ns/svc:p')).toBe('"ns/svc:p"');
    expect(saveString(`a"b'c\\d`)).toBe(`"a\\"b\\'c\\\\d"`);
    expect(saveString('')).toBe('""');
  });
});

describe('probabilities', () => {
  it("format 1/n as kube-proxy's %0.10f, ties to even", () => {
    expect(kubeProxyProbability(2)).toBe('0.5000000000');
    expect(kubeProxyProbability(3)).toBe('0.3333333333');
    expect(kubeProxyProbability(7)).toBe('0.1428571429');
    expect(kubeProxyProbability(2048)).toBe('0.0004882812');
  });
  it('read back quantised to 1/2^31, with 11 decimals', () => {
    expect(savedProbability('0.2500000000')).toBe('0.25000000000');
    expect(savedProbability('1')).toBe('1.00000000000');
  });
});
