import { describe, expect, it } from 'vitest';
import { redactSnapshot } from '@svcpath/redact';
import type { Snapshot } from '@svcpath/api-contract';
import { redactMarkdown, redactScene, seedFor } from './redaction';
import type { Scene } from './svg-scene';

const snapshot: Snapshot = {
  formatVersion: 1,
  id: 'demo~worker-1',
  collection: 'demo',
  node: 'worker-1',
  cluster: null,
  context: null,
  nodeIPs: ['192.168.0.2'],
  takenAt: '2025-01-01T00:00:00.000Z',
  mode: 'iptables',
  toolVersions: {},
  problems: [],
  clusterState: null,
  files: [
    {
      name: 'iptables-save.txt',
      kind: 'iptables',
      commandId: null,
      truncated: false,
      partial: false,
      text: '*nat\n:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]\n-A KUBE-SERVICES -m comment --comment "shop/frontend:http cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK\nCOMMIT\n',
    },
  ],
};
const palette = { background: '#fff', text: '#111', muted: '#666', nodeFill: '#fff', nodeStroke: '#ccc', groupFill: '#f5f5f5', edge: '#999', lit: '#e65', accent: {} };

describe('redacted exports', () => {
  const { mapping } = redactSnapshot(snapshot, { seed: 'web-test' });
  const svc = `${mapping.names.namespace.shop}/${mapping.names.service.frontend}`;

  it('relabels a scene with the mapping, geometry unchanged', () => {
    const scene: Scene = {
      bounds: { x: 0, y: 0, width: 100, height: 100 },
      title: 'shop/frontend',
      poster: { title: 'shop/frontend', facts: ['node worker-1'], trace: { packet: 'tcp 10.180.0.9 → 172.30.0.44:80', outcomes: [{ share: '50%', text: 'to 10.180.0.4:80' }] }, version: '0.1.0' },
      palette,
      nodes: [{ x: 1, y: 2, width: 3, height: 4, kind: 'service', label: 'shop/frontend:http', detail: '172.30.0.44:80 → 10.180.0.4:80', caption: 'worker-1', share: null, lit: false, dim: false }],
      edges: [{ path: 'M0,0', label: 'jump KUBE-SVC-4SW47YFZTEDKD3PK', labelX: 0, labelY: 0, lit: false, dim: false, dashed: false, width: 1 }],
    };
    const out = redactScene(scene, mapping);
    expect(out.title).toBe(svc);
    expect(out.nodes[0]).toMatchObject({ x: 1, y: 2, label: `${svc}:http`, caption: mapping.names.node['worker-1'] });
    expect(out.nodes[0]!.detail).not.toMatch(/172\.30\.0\.44|10\.180\.0\.4/);
    expect(out.edges[0]!.label).toBe(`jump ${mapping.chains['KUBE-SVC-4SW47YFZTEDKD3PK']}`);
    expect(out.poster?.trace?.outcomes[0]?.share).toBe('50%');
    expect(JSON.stringify(out)).not.toMatch(/shop|frontend|worker-1|172\.30\.0\.44|10\.180\.0\.[49]/);
  });

  it('redacts Markdown, dropping the page address that names the Service', () => {
    const url = 'http://127.0.0.1:8080/?snapshot=demo~worker-1&service=shop%2Ffrontend';
    const md = redactMarkdown(`# shop/frontend\nView: ${url}\n- \`KUBE-SVC-4SW47YFZTEDKD3PK\` rule 1`, mapping, url);
    expect(md).toContain(`# ${svc}`);
    expect(md).not.toMatch(/shop|frontend/);
  });

  it('keeps one seed per snapshot across page loads (stored), a new one for another snapshot', () => {
    const kept = new Map<string, string>();
    const store = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) };
    let n = 0;
    const random = () => `seed-${++n}`;
    expect(seedFor('demo~worker-1', store, random)).toBe('seed-1');
    expect(seedFor('demo~worker-1', store, random)).toBe('seed-1');
    expect(seedFor('demo~worker-2', store, random)).toBe('seed-2');
    expect(kept.get('svcpath.redaction-seed.demo~worker-1')).toBe('seed-1');
  });
});
