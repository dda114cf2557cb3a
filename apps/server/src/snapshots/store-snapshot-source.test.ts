import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileSnapshotStore } from '@svcpath/collector';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../start-server';
import { metaOf } from './snapshot';
import { StoreSnapshotSource } from './store-snapshot-source';
import { withSharedText } from './shared-text';
import { WorkerStoreWriter } from './store-writer';

/**
 * Persistence across a restart, over real HTTP with the real file store (createFileSnapshotStore)
 * in a temp directory: what is imported survives the server stopping, deletes stick, and the
 * read-only demo collection beside it can be neither replaced nor deleted.
 */
const store = mkdtempSync(join(tmpdir(), 'svcpath-store-'));
const demo = fileURLToPath(new URL('../../demo', import.meta.url));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const DUMP = `*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]
:KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA
-A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "default/web:http -> 10.244.0.5:8080" -j KUBE-SEP-BBBBBBBBBBBBBBBB
-A KUBE-SEP-BBBBBBBBBBBBBBBB -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination 10.244.0.5:8080
COMMIT
`;

/** Test-only: response bodies are read loosely and checked field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const json = async (res: Response): Promise<Json> => res.json();

async function run<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const server = await startServer({ port: 0, collections: [demo], store });
  try {
    return await fn(server.url);
  } finally {
    await server.close();
  }
}
const ids = async (url: string) => ((await json(await fetch(`${url}/api/snapshots`))).snapshots as { id: string; readOnly: boolean }[]).map((s) => `${s.id}${s.readOnly ? ' (read-only)' : ''}`);
const traceWeb = async (url: string, id: string) =>
  (await json(await fetch(`${url}/api/snapshots/${id}/trace`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ src: '10.0.0.1', dst: '10.96.0.10', dport: 80, proto: 'tcp' }) }))).outcomes.map((o: { destination: string }) => o.destination);

describe('snapshots in the file store', () => {
  it('survive a restart; deletes stick; the demo stays read-only', async () => {
    await run(async (url) => {
      const res = await fetch(`${url}/api/snapshots?collection=lab&node=node-a&nodeIPs=192.168.1.4`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: DUMP });
      expect(res.status).toBe(201);
      expect(await ids(url)).toEqual(['demo~worker-1 (read-only)', 'demo~worker-2 (read-only)', 'lab~node-a']);
      const del = await fetch(`${url}/api/snapshots/demo~worker-1`, { method: 'DELETE' });
      expect(del.status).toBe(409);
      expect((await json(del)).error.code).toBe('SNAPSHOT_READ_ONLY');
    });
    expect(readdirSync(store)).toEqual(['lab~node-a.json']);

    await run(async (url) => {
      expect(await ids(url)).toEqual(['demo~worker-1 (read-only)', 'demo~worker-2 (read-only)', 'lab~node-a']);
      const meta = await json(await fetch(`${url}/api/snapshots/lab~node-a`));
      expect(meta.snapshot).toMatchObject({ node: 'node-a', nodeIPs: ['192.168.1.4'], files: [{ name: 'iptables-save.txt' }] });
      expect(await traceWeb(url, 'lab~node-a')).toEqual(['10.244.0.5:8080']);
      expect((await fetch(`${url}/api/snapshots/lab~node-a`, { method: 'DELETE' })).status).toBe(204);
    });
    expect(readdirSync(store)).toEqual([]);

    await run(async (url) => {
      expect(await ids(url)).toEqual(['demo~worker-1 (read-only)', 'demo~worker-2 (read-only)']);
    });
  });
});

describe('an upload in the store', () => {
  it('keeps its shared bytes beside its text, so engines are handed the bytes and not a copy of the text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcpath-store-shared-'));
    const writer = new WorkerStoreWriter(dir);
    try {
      const source = new StoreSnapshotSource(createFileSnapshotStore(dir), writer);
      const shared = new Uint8Array(new SharedArrayBuffer(DUMP.length));
      shared.set(Buffer.from(DUMP, 'latin1'));
      await source.put({ id: 'lab~node-b', collection: 'lab', node: 'node-b', takenAt: '2026-12-03T10:00:00Z', nodeIPs: [], files: [withSharedText({ name: 'iptables-save.txt' }, shared)] });
      const got = (await source.get('lab~node-b'))!;
      expect(got.files).toHaveLength(1);
      expect(got.files[0]!.shared).toBe(shared);
      expect(metaOf(got).files).toEqual([{ name: 'iptables-save.txt', bytes: DUMP.length }]);
      expect(got.files[0]!.text).toBe(DUMP);
      expect(got.document!.files[0]!.text).toBe(DUMP);
    } finally {
      await writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the store read back by its worker', () => {
  it('hands long dumps over as shared bytes with their text read on demand, the same text; short ones and odd ones as text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcpath-store-read-'));
    const writer = new WorkerStoreWriter(dir);
    const reader = new WorkerStoreWriter(dir);
    try {
      const rule = (i: number) => `-A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "default/web:http -> 10.244.${i % 250}.5:8080 — grüße" -j KUBE-SEP-BBBBBBBBBBBBBBBB\n`;
      const long = DUMP.replace('COMMIT\n', `${Array.from({ length: 12_000 }, (_, i) => rule(i)).join('')}COMMIT\n`);
      expect(long.length).toBeGreaterThan(1024 * 1024);
      await new StoreSnapshotSource(createFileSnapshotStore(dir), writer).put({ id: 'lab~big', collection: 'lab', node: 'big', takenAt: '2026-12-03T10:00:00Z', nodeIPs: [], files: [{ name: 'iptables-save.txt', text: long }] });
      await new StoreSnapshotSource(createFileSnapshotStore(dir), writer).put({ id: 'lab~bom', collection: 'lab', node: 'bom', takenAt: '2026-12-03T10:00:00Z', nodeIPs: [], files: [{ name: 'iptables-save.txt', text: `\ufeff${long}` }] });
      const source = new StoreSnapshotSource(createFileSnapshotStore(dir), reader);
      const big = (await source.get('lab~big'))!;
      expect(big.files.map((f) => [f.name, f.shared?.length])).toEqual([['iptables-save.txt', Buffer.byteLength(long)]]);
      expect(big.files[0]!.text === long).toBe(true);
      expect(big.document!.files[0]!.text === long).toBe(true);
      expect(metaOf(big).files).toEqual([{ name: 'iptables-save.txt', bytes: Buffer.byteLength(long) }]);
      const bom = (await source.get('lab~bom'))!;
      expect(bom.files[0]!.shared).toBeUndefined();
      expect(bom.files[0]!.text === `\ufeff${long}`).toBe(true);
    } finally {
      await writer.close();
      await reader.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
