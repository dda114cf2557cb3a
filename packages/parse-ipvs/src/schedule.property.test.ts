import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIPv4, parseIP } from '@svcpath/netaddr';
import { scheduleNewConnection } from './schedule';
import type { RealServer, VirtualService } from './ipvs-types';
import { NO_SCHED_FLAGS } from './ipvs-fields';

const span = { file: 'gen', start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh', 'mh', 'lblc', 'fo'];

const realServer = fc.record({
  addr: fc.integer({ min: 0x0a000001, max: 0x0affffff }),
  port: fc.integer({ min: 1, max: 65535 }),
  weight: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 })),
  counts: fc.option(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 })), { nil: undefined }),
  upper: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }),
});

const service = fc.record({
  scheduler: fc.constantFrom(...SCHEDULERS),
  fallback: fc.boolean(),
  port: fc.boolean(),
  servers: fc.array(realServer, { maxLength: 8 }),
  client: fc.integer({ min: 0, max: 0xffffffff }),
  clientPort: fc.integer({ min: 1, max: 65535 }),
});

type Generated = typeof service extends fc.Arbitrary<infer T> ? T : never;

function build(s: Generated): VirtualService {
  const realServers: RealServer[] = s.servers.map((r) => ({
    kind: 'real-server',
    address: parseIP(formatIPv4(r.addr))!,
    port: r.port,
    forward: 'masq',
    weight: r.weight,
    ...(r.counts ? { activeConns: r.counts[0], inactiveConns: r.counts[1] } : {}),
    ...(r.upper ? { upperThreshold: r.upper } : {}),
    unknownOptions: [],
    raw: '',
    span,
  }));
  return {
    kind: 'virtual-service',
    protocol: 'tcp',
    family: 4,
    vip: parseIP('10.96.0.1'),
    port: 80,
    fwmark: null,
    scheduler: s.scheduler,
    schedFlags: { ...NO_SCHED_FLAGS, fallback: s.fallback, port: s.port },
    persistence: null,
    persistenceEngine: null,
    onePacket: false,
    realServers,
    unknownOptions: [],
    raw: '',
    rawLines: [],
    span,
  };
}

describe('scheduler invariants (fast-check)', () => {
  it('shares sum to 1 (or the packet is rejected) and weight-0 servers never get new connections', () => {
    fc.assert(
      fc.property(service, (s) => {
        const vs = build(s);
        const client = parseIP(formatIPv4(s.client))!;
        const o = scheduleNewConnection(vs, { client, clientPort: s.clientPort, destination: client }, { mhTableSize: 251 });
        if (o.kind === 'no-destination') {
          expect(o.shares).toEqual([]);
          return;
        }
        const sum = o.shares.reduce((t, x) => t + x.probability, 0);
        expect(sum).toBeCloseTo(1, 9);
        for (const sh of o.shares) {
          expect(sh.probability).toBeGreaterThan(0);
          expect(vs.realServers[sh.index]!.weight).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('same input, same outcome', () => {
    fc.assert(
      fc.property(service, (s) => {
        const vs = build(s);
        const conn = { client: parseIP(formatIPv4(s.client))!, clientPort: s.clientPort };
        expect(scheduleNewConnection(vs, conn, { mhTableSize: 251 })).toEqual(scheduleNewConnection(vs, conn, { mhTableSize: 251 }));
      }),
      { numRuns: 200 },
    );
  });
});
