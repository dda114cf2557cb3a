import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset } from '@svcpath/ruleset';
import { trace } from './index';

/**
 * kube-proxy's newer nftables endpoint layout — one rule DNATs through a numgen map, no chain per
 * endpoint — plus an inet table of everyday matches, as the kernel lists them
 * (packages/parse-nft/src/fixtures/numgen-layout.*, loaded with nft -f in a namespace).
 */
const FIX = join(import.meta.dirname, '..', '..', 'parse-nft', 'src', 'fixtures');
const forms = ['numgen-layout.list.txt', 'numgen-layout.json'].map((f) => ({ f, rs: loadRuleset([{ name: f, text: readFileSync(join(FIX, f), 'utf8') }]).ruleset! }));
const local = [parseIP('192.168.0.2')!];

describe.each(forms)('nftables numgen-map layout ($f)', ({ rs }) => {
  const src = parseIP('10.0.0.2')!;
  const pkt = { src, dst: parseIP('172.30.0.41')!, dport: 80, proto: 'tcp' as const };
  it('splits a new connection in thirds through the dnat numgen map, remembering the client', () => {
    const r = trace(rs, pkt, { localAddresses: local });
    expect(r.outcomes.map((o) => [o.destination, o.probability.toFixed(4)]).sort()).toEqual([
      ['10.180.0.1:8080', '0.3333'],
      ['10.180.0.2:8080', '0.3333'],
      ['10.180.0.3:8080', '0.3333'],
    ]);
    expect(r.outcomes.every((o) => o.affinity?.list === 'affinity-X' && o.affinity.seconds === 10800)).toBe(true);
    expect(r.outcomes[0]!.service).toBe('ns1/svc1:p80');
  });
  it('sends a client in the affinity set to the endpoint its rule names', () => {
    const r = trace(rs, pkt, { localAddresses: local, recent: new Map([['affinity-X', [{ addr: src, ageSeconds: 5 }]]]) });
    expect(r.outcomes.map((o) => [o.destination, o.probability])).toEqual([['10.180.0.1:8080', 1]]);
  });
  it('a DNS packet NOTRACKed in the raw table is never translated', () => {
    const r = trace(rs, { src, dst: parseIP('172.30.0.44')!, dport: 53, proto: 'udp' }, { localAddresses: local });
    expect(r.outcomes.every((o) => o.destination === null)).toBe(true);
  });
});
