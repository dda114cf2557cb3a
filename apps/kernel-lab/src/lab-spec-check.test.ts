import { describe, expect, it } from 'vitest';
import { checkLabSpec, checkProbeRequest, LabSpecError } from './lab-spec-check';
import type { LabSpec } from './lab-types';

const spec: LabSpec = {
  nodeIPs: ['10.0.0.1'],
  clientIPs: ['10.244.1.7'],
  endpoints: [{ ip: '10.1.0.5', port: 80, proto: 'tcp' }],
  nodeListeners: [{ ip: '0.0.0.0', port: 10256, proto: 'tcp' }],
};

describe('checkLabSpec', () => {
  it('accepts a well-formed spec', () => expect(() => checkLabSpec(spec)).not.toThrow());

  it.each<[string, LabSpec, RegExp]>([
    ['no node IP', { ...spec, nodeIPs: [] }, /at least one node IP/],
    ['IPv6', { ...spec, clientIPs: ['fd00::1'] }, /not a dotted-quad/],
    [
      'an address in two namespaces',
      { ...spec, clientIPs: ['10.1.0.5'] },
      /10.1.0.5 appears in both clientIPs and endpoints/,
    ],
    [
      'a node listener on a foreign address',
      { ...spec, nodeListeners: [{ ip: '10.9.9.9', port: 1, proto: 'udp' }] },
      /not a node IP/,
    ],
    ['port 0', { ...spec, endpoints: [{ ip: '10.1.0.5', port: 0, proto: 'tcp' }] }, /bad port/],
  ])('refuses %s', (_name, bad, message) => {
    expect(() => checkLabSpec(bad)).toThrow(LabSpecError);
    expect(() => checkLabSpec(bad)).toThrow(message);
  });
});

describe('checkProbeRequest', () => {
  const base = { src: '10.244.1.7', dst: '172.30.0.10', dport: 80, proto: 'tcp' as const, tries: 1 };
  it('takes client sources from clientIPs and node sources from nodeIPs', () => {
    expect(() => checkProbeRequest(spec, base)).not.toThrow();
    expect(() => checkProbeRequest(spec, { ...base, fromNode: true })).toThrow(/nodeIPs/);
    expect(() => checkProbeRequest(spec, { ...base, src: '10.0.0.1', fromNode: true })).not.toThrow();
  });
  it('wants at least one try', () =>
    expect(() => checkProbeRequest(spec, { ...base, tries: 0 })).toThrow(/tries/));
});
