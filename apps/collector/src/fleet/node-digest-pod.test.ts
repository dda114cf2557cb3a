// The digest Pod as sent to the API server, and the node selector: pure, checked without a cluster.
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { validateK8sObject } from '../deploy/validate-k8s-object.js';
import { nodeDigestCommand, nodeDigestPod } from './node-digest-pod.js';
import { parseNodeSelector } from './node-selector.js';

const pod = (detail?: number[]) => nodeDigestPod({ name: 'svcpath-digest-w-1-abcd', namespace: 'svcpath-nodes', node: 'w-1', image: 'svcpath:dev', activeDeadlineSeconds: 300, ...(detail ? { detail } : {}) });

describe('nodeDigestPod', () => {
  it('is a valid Pod (the object models @kubernetes/client-node ships) with the grants of the example manifest', () => {
    expect(validateK8sObject(pod([3, 200]))).toEqual([]);
    const example = yaml.load(readFileSync(new URL('../../../../deploy/examples/node-digest-pod.yaml', import.meta.url), 'utf8')) as { spec: { containers: { securityContext: unknown }[]; hostNetwork: boolean } };
    const spec = pod().spec as typeof example.spec;
    expect(spec.hostNetwork).toBe(example.spec.hostNetwork);
    expect(spec.containers[0]!.securityContext).toEqual(example.spec.containers[0]!.securityContext);
  });

  it('runs node-digest with the node name and detail buckets only, both checked', () => {
    expect(nodeDigestCommand('w-1', [3, 200])).toEqual(['node', '/app/apps/cli/bin/svcpath.js', 'node-digest', '--node', 'w-1', '--detail', '3,200']);
    expect(() => nodeDigestCommand('w-1; rm -rf /')).toThrow(/not a node name/);
    expect(() => nodeDigestCommand('w-1', [256])).toThrow(/0-255/);
  });
});

describe('parseNodeSelector', () => {
  const labels = { 'topology.kubernetes.io/zone': 'a', pool: 'gpu' };
  it.each([
    ['pool=gpu', true],
    ['pool==gpu,topology.kubernetes.io/zone=a', true],
    ['pool!=gpu', false],
    ['pool', true],
    ['!pool', false],
    ['!spot', true],
    ['pool=cpu', false],
  ])('%s → %s', (text, expected) => {
    const match = parseNodeSelector(text);
    if (typeof match === 'string') throw new Error(match);
    expect(match(labels)).toBe(expected);
  });
  it('refuses what it does not support, saying what to use', () => {
    expect(parseNodeSelector('pool in (a,b)')).toMatch(/set-based terms .* are not supported/);
    expect(parseNodeSelector('=x')).toMatch(/not a selector term/);
  });
});
