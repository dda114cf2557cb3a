import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '@svcpath/parse-iptables';
import { fromIptables } from '@svcpath/ruleset';
import { ladderShares } from './ladder';

/** A KUBE-SVC chain as kube-proxy writes it for three endpoints (probabilities 1/3, 1/2, rest). */
const DUMP = `*nat
:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]
:KUBE-SEP-AAAAAAAAAAAAAAA1 - [0:0]
:KUBE-SEP-AAAAAAAAAAAAAAA2 - [0:0]
:KUBE-SEP-AAAAAAAAAAAAAAA3 - [0:0]
-A KUBE-SVC-AAAAAAAAAAAAAAAA ! -s 10.0.0.0/8 -d 172.30.0.1/32 -p tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-AAAAAAAAAAAAAAAA -m recent --name KUBE-SEP-AAAAAAAAAAAAAAA1 --rcheck --seconds 10800 --reap -j KUBE-SEP-AAAAAAAAAAAAAAA1
-A KUBE-SVC-AAAAAAAAAAAAAAAA -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-AAAAAAAAAAAAAAA1
-A KUBE-SVC-AAAAAAAAAAAAAAAA -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-AAAAAAAAAAAAAAA2
-A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-AAAAAAAAAAAAAAA3
COMMIT
`;

describe('ladderShares', () => {
  it('gives each rung r·p of the remaining share, the last rung the rest, and skips affinity checks', () => {
    const rs = fromIptables(parseIptablesSave(DUMP, { file: 'svc.txt' }).dump);
    const shares = ladderShares(rs.chains.get('nat/KUBE-SVC-AAAAAAAAAAAAAAAA')!);
    expect([...shares.keys()]).toEqual([3, 4, 5]);
    for (const s of shares.values()) expect(s).toBeCloseTo(1 / 3, 6);
    expect([...shares.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});
