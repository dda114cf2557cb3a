import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startServer } from '../start-server';

const DUMP = readFileSync(fileURLToPath(new URL('../../../../packages/tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt', import.meta.url)), 'utf8');

describe('the snapshot store across imports and restarts (issue 16)', () => {
  it('a node imported again gets a new snapshot beside the first (numbered collection); both trace', { timeout: 60_000 }, async () => {
    const store = mkdtempSync(join(tmpdir(), 'svcpath store '));
    const server = await startServer({ port: 0, collections: [], store });
    try {
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, body: (await res.json()) as { snapshot: { id: string; collection: string; node: string }; outcomes: unknown[] } };
      };
      const one = await post('/api/snapshots', { node: 'worker-1', files: [{ name: 'a.txt', text: DUMP }] });
      const two = await post('/api/snapshots', { node: 'worker-1', files: [{ name: 'a.txt', text: DUMP }] });
      const three = await post('/api/snapshots', { node: 'worker-1', files: [{ name: 'a.txt', text: DUMP }] });
      expect([one.status, two.status, three.status]).toEqual([201, 201, 201]);
      expect([one, two, three].map((r) => r.body.snapshot.id)).toEqual(['imported~worker-1', 'imported-2~worker-1', 'imported-3~worker-1']);
      expect(two.body.snapshot).toMatchObject({ node: 'worker-1', collection: 'imported-2' });
      expect(readdirSync(store).sort()).toEqual(['imported-2~worker-1.json', 'imported-3~worker-1.json', 'imported~worker-1.json']);
      expect((await post('/api/snapshots/imported-2~worker-1/trace', { src: '10.0.0.2', dst: '172.30.0.41', dport: 80 })).body.outcomes.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('temp files a killed writer left are removed at start; a live writer keeps its own', async () => {
    const store = mkdtempSync(join(tmpdir(), 'svcpath store '));
    const dead = '.imported~worker-1.json.999999999.0a1b2c3d.tmp'; // no such pid
    const live = `.imported~worker-2.json.${process.pid}.0a1b2c3d.tmp`;
    writeFileSync(join(store, dead), 'x'.repeat(1000));
    writeFileSync(join(store, live), 'x');
    const server = await startServer({ port: 0, collections: [], store });
    await server.close();
    expect(existsSync(join(store, dead))).toBe(false);
    expect(existsSync(join(store, live))).toBe(true);
  });
});
