import { describe, expect, it } from 'vitest';
import { judgementText, packetOfForm, shareText } from './matrix-view';

describe('node matrix wording', () => {
  it('names the judge, or says two nodes cannot be ranked and which control fixes it', () => {
    const f = (node?: string) => ({ code: 'NODE_ODD_ONE_OUT', severity: 'warning' as const, title: '', explanation: '', nextStep: '', help: '', ...(node ? { node } : {}) });
    expect(judgementText({ judgedBy: 'cluster-state', nodes: ['a', 'b'], findings: [f('b'), f('b')] })).toBe('Judged against the cluster state: b disagrees with the EndpointSlices.');
    expect(judgementText({ judgedBy: 'majority', nodes: ['a', 'b'], findings: [f()] })).toContain('two nodes cannot be ranked. Collect the nodes again with the cluster read (Collect…, kubeconfig context)');
    expect(judgementText({ judgedBy: 'majority', nodes: ['a', 'b', 'c'], findings: [f('c')] })).toBe('Judged by the majority of the nodes (no cluster state): c differs.');
    expect(judgementText({ judgedBy: 'cluster-state', nodes: ['a', 'b'], findings: [] })).toBe('Every node programs its Services as the cluster state says.');
  });

  it('reads the form, naming the field that is wrong by its label', () => {
    expect(packetOfForm({ from: 'node', to: '172.30.0.44', port: '80', proto: 'tcp' })).toEqual({ src: 'node', dst: '172.30.0.44', dport: 80, proto: 'tcp' });
    expect(packetOfForm({ from: 'x', to: '172.30.0.44', port: '80', proto: 'tcp' })).toEqual({ error: expect.stringMatching(/^From: /) });
    expect(packetOfForm({ from: '10.0.0.1', to: '', port: '80', proto: 'tcp' })).toEqual({ error: expect.stringMatching(/^To: /) });
    expect(packetOfForm({ from: '10.0.0.1', to: '10.0.0.2', port: '99999', proto: 'udp' })).toEqual({ error: 'Port: give a number from 1 to 65535.' });
  });

  it('shows a share once, a dash for none', () => {
    expect([shareText(0), shareText(0.5), shareText(1)]).toEqual(['–', '50.0 %', '100.0 %']);
  });
});
