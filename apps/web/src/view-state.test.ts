import { describe, expect, it } from 'vitest';
import { flowOf, formatView, parseView } from './view-state';

describe('view state in the URL', () => {
  it('round-trips a full view and keeps it readable', () => {
    const v = { snapshot: 'demo~demo-node-1', service: 'ns4/svc4', node: 'chain:nat/KUBE-SVC-4SW47YFZTEDKD3PK', src: '10.0.0.2', dst: '172.30.0.44', dport: 80, proto: 'tcp' as const, ret: '10.180.0.4:80', outcome: 1, finding: 2, since: 'imported~demo-node-1' };
    const text = formatView(v);
    expect(text).toContain('service=ns4/svc4');
    expect(text).toContain('snapshot=demo~demo-node-1');
    expect(parseView(text)).toEqual(v);
  });

  it('drops bad values instead of guessing', () => {
    expect(parseView('?dport=http&proto=icmp&src=%20')).toEqual({});
  });

  it('has a flow only when source, destination and port are set', () => {
    expect(flowOf({ src: '10.0.0.2', dst: '172.30.0.44' })).toBeNull();
    expect(flowOf({ src: '10.0.0.2', dst: '172.30.0.44', dport: 80 })).toEqual({ src: '10.0.0.2', dst: '172.30.0.44', dport: 80, proto: 'tcp' });
  });
});
