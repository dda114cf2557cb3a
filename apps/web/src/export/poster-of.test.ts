import { describe, expect, it } from 'vitest';
import type { TraceResult } from '../api/types';
import { posterOf, SVCPATH_VERSION } from './poster-of';

describe('posterOf', () => {
  it('says where, when and what was traced, each outcome with its share once', () => {
    const result = {
      outcomes: [
        { probability: 0.5, verdict: 'DNAT', destination: '10.180.0.4:80', masquerade: false, delivery: 'local' },
        { probability: 0.5, verdict: 'DNAT', destination: '10.180.0.5:80', masquerade: false, delivery: 'local' },
      ],
    } as unknown as TraceResult;
    const p = posterOf({
      title: 'shop/frontend',
      meta: { collection: 'demo', node: 'worker-1', takenAt: '2025-01-01T00:00:00.000Z', nodeIPs: ['192.168.0.2'], context: 'kind-lab' },
      trace: { flow: { src: '10.180.0.9', dst: '172.30.0.44', dport: 80, proto: 'tcp' }, result },
    });
    expect(p.facts).toEqual(['context kind-lab · collection demo', 'node worker-1 (192.168.0.2) · snapshot taken 2025-01-01T00:00:00.000Z']);
    expect(p.trace?.packet).toBe('tcp 10.180.0.9 → 172.30.0.44:80, first connection');
    expect(p.trace?.outcomes.map((o) => o.share)).toEqual(['50%', '50%']);
    expect(p.trace?.outcomes[0]?.text).not.toMatch(/^50%/);
    expect(p.version).toBe(SVCPATH_VERSION);
  });
});
