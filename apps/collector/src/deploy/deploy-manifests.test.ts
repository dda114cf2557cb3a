/**
 * deploy/: every manifest `kubectl apply -k` would send (rendered here: resources, images, patches)
 * and the example node Pod, checked against the object models @kubernetes/client-node ships, plus
 * the security properties docs/deploy.md promises. The krew manifest and the kubectl plugin too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { renderKustomization } from './render-kustomization';
import { validateK8sObject } from './validate-k8s-object';

const REPO = join(import.meta.dirname, '..', '..', '..', '..');
const DEPLOY = join(REPO, 'deploy');
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const base = renderKustomization(join(DEPLOY, 'base')) as Obj[];
const ingress = renderKustomization(join(DEPLOY, 'ingress')) as Obj[];
const examplePod = yaml.loadAll(readFileSync(join(DEPLOY, 'examples/node-digest-pod.yaml'), 'utf8')) as Obj[];
const find = (objs: Obj[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata?.name === name)!;

describe('deploy/ manifests against client-node\'s object models', () => {
  it.each([
    ['base', base],
    ['ingress', ingress],
    ['examples/node-digest-pod.yaml', examplePod],
  ])('%s: every object is valid', (_name, objs) => {
    expect(objs.length).toBeGreaterThan(0);
    for (const o of objs) expect(validateK8sObject(o), `${o.kind}/${o.metadata?.name}`).toEqual([]);
  });

  it('catches unknown fields, fields at the wrong level and wrong types', () => {
    const d = structuredClone(find(base, 'Deployment', 'svcpath'));
    d.spec.template.spec.containers[0].securityContext.readOnlyRootFS = true;
    d.spec.replicas = '1';
    d.spec.template.spec.hostNetwork = 'yes';
    d.spec.template.spec.containers[0].ports[0].containerPort = 80.5;
    d.spec.serviceAccountName = 'svcpath';
    expect(validateK8sObject(d).sort()).toEqual([
      'Deployment/svcpath.spec.replicas: expected int32, got "1"',
      'Deployment/svcpath.spec.template.spec.hostNetwork: expected true or false, got "yes"',
      'Deployment/svcpath.spec.template.spec.containers[0].ports[0].containerPort: expected int32, got 80.5',
      'Deployment/svcpath.spec.template.spec.containers[0].securityContext.readOnlyRootFS: unknown field of V1SecurityContext',
      'Deployment/svcpath.spec.serviceAccountName: unknown field of V1DeploymentSpec',
    ].sort());
    expect(validateK8sObject({ apiVersion: 'v1', kind: 'Frobnicator', metadata: { name: 'x' } })).toEqual(['Frobnicator/x: no model V1Frobnicator in @kubernetes/client-node']);
  });

  it('renders the image and the ingress overlay\'s host', () => {
    expect(find(base, 'Deployment', 'svcpath').spec.template.spec.containers[0].image).toBe('ghcr.io/svcpath/svcpath:0.1.0');
    const env = find(ingress, 'Deployment', 'svcpath').spec.template.spec.containers[0].env as Obj[];
    expect(env.find((e) => e.name === 'ALLOWED_HOSTS')!.value).toContain('svcpath.example.com');
  });
});

describe('deploy/ keeps the promises of docs/deploy.md', () => {
  it('runs the server non-root on a read-only root file system with no capabilities', () => {
    const pod = find(base, 'Deployment', 'svcpath').spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.hostNetwork).toBeUndefined();
  });

  it('exposes nothing by default: a ClusterIP Service, every ingress denied, no LoadBalancer, no Ingress', () => {
    expect(base.filter((o) => o.kind === 'Service').map((o) => o.spec.type)).toEqual(['ClusterIP']);
    expect(base.some((o) => o.kind === 'Ingress')).toBe(false);
    expect(find(base, 'NetworkPolicy', 'svcpath-deny-ingress').spec).toMatchObject({ policyTypes: ['Ingress'], ingress: [] });
    expect(JSON.stringify(ingress)).not.toContain('LoadBalancer');
    expect(find(ingress, 'Ingress', 'svcpath').metadata.annotations['nginx.ingress.kubernetes.io/auth-url']).toMatch(/^https:/);
  });

  it('reads the cluster and nothing more, and writes Pods only in svcpath-nodes', () => {
    const rules = base.filter((o) => o.kind === 'ClusterRole').flatMap((o) => o.rules as Obj[]);
    expect(new Set(rules.flatMap((r) => r.verbs))).toEqual(new Set(['get', 'list', 'watch']));
    expect(rules.flatMap((r) => r.resources).sort()).toEqual(['endpointslices', 'nodes', 'pods', 'services']);
    const roles = base.filter((o) => o.kind === 'Role');
    expect(roles.map((r) => [r.metadata.namespace, r.rules])).toEqual([
      ['kube-system', [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['kube-proxy'], verbs: ['get', 'list', 'watch'] }]],
      ['svcpath-nodes', [{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'delete'] }, { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }]],
    ]);
    const bindings = base.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
    for (const b of bindings) expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'svcpath', namespace: 'svcpath' }]);
  });

  it('confines host-network Pods to svcpath-nodes, which enforces privileged; the server\'s namespace enforces restricted', () => {
    const ns = (name: string) => find(base, 'Namespace', name).metadata.labels['pod-security.kubernetes.io/enforce'];
    expect([ns('svcpath'), ns('svcpath-nodes')]).toEqual(['restricted', 'privileged']);
    const workloads = base.filter((o) => ['Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'Job'].includes(o.kind));
    expect(workloads.map((o) => o.metadata.namespace)).toEqual(['svcpath']);
    const pod = examplePod[0]!;
    expect(pod.metadata.namespace).toBe('svcpath-nodes');
    expect(pod.spec).toMatchObject({ hostNetwork: true, automountServiceAccountToken: false, restartPolicy: 'Never' });
    expect(pod.spec.containers[0].securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] } });
    expect(pod.spec.volumes.every((v: Obj) => v.hostPath === undefined)).toBe(true);
  });
});

describe('kubectl plugin', () => {
  it('has a krew manifest naming the plugin executable', () => {
    const m = yaml.load(readFileSync(join(DEPLOY, 'krew/svcpath.yaml'), 'utf8')) as Obj;
    expect(m).toMatchObject({ apiVersion: 'krew.googlecontainertools.github.com/v1alpha2', kind: 'Plugin', metadata: { name: 'svcpath' } });
    for (const p of m.spec.platforms) expect(p.bin).toBe('apps/cli/bin/kubectl-svcpath');
  });

  const plugin = join(REPO, 'apps/cli/bin/kubectl-svcpath');
  const built = existsSync(join(REPO, 'apps/cli/dist/main.js'));
  it.skipIf(!built)('runs the CLI (kubectl svcpath fleet --help)', () => {
    expect(statSync(plugin).mode & 0o111).not.toBe(0);
    const r = spawnSync(plugin, ['fleet', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: svcpath fleet --digests DIR --cluster-state FILE/);
  });
});
