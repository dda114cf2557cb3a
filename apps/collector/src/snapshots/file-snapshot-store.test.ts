import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '@svcpath/api-contract';
import { buildSnapshot } from './build-snapshot.js';
import { createFileSnapshotStore } from './file-snapshot-store.js';
import { decodeSnapshotDocument, encodeCollection, snapshotsOf } from './snapshot-codec.js';
import { SnapshotError } from './snapshot-error.js';

const IPTABLES = `*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
-A PREROUTING -j KUBE-SERVICES
COMMIT
`;

function snapshot(node: string, text = IPTABLES, collection = 'incident-7'): Snapshot {
  return buildSnapshot({
    collection,
    node,
    takenAt: '2025-03-14T11:00:00.000Z',
    cluster: 'kind-kind',
    context: 'kind-kind',
    files: [{ name: 'iptables-save.txt', text, kind: 'iptables', commandId: 'iptables-save', truncated: false, partial: false }],
    clusterState: null,
    problems: [],
    extraNodeIPs: ['172.18.0.3'],
  });
}

const dirs: string[] = [];
function tempStore() {
  const dir = mkdtempSync(join(tmpdir(), 'svcpath-store-'));
  dirs.push(dir);
  return { dir, store: createFileSnapshotStore(join(dir, 'snapshots')) };
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function rejection(p: Promise<unknown>): Promise<SnapshotError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SnapshotError) return e;
    throw e;
  }
  throw new Error('expected a SnapshotError');
}

describe('file snapshot store', () => {
  it('puts, lists, gets and deletes; an empty or missing store lists nothing', async () => {
    const { store } = tempStore();
    expect(await store.list()).toEqual({ snapshots: [], problems: [] });
    const a = snapshot('worker-1');
    expect(await store.put(a)).toMatchObject({ replaced: false });
    await store.put(snapshot('worker-2'));
    expect(await store.put(a)).toMatchObject({ replaced: true });
    const { snapshots } = await store.list();
    expect(snapshots.map((s) => [s.id, s.mode, s.files])).toEqual([
      ['incident-7~worker-1', 'iptables', 1],
      ['incident-7~worker-2', 'iptables', 1],
    ]);
    expect(await store.get('incident-7~worker-1')).toEqual(a);
    expect((await store.collection('incident-7')).map((s) => s.node)).toEqual(['worker-1', 'worker-2']);
    expect(await store.delete('incident-7~worker-1')).toBe(true);
    expect(await store.delete('incident-7~worker-1')).toBe(false);
    expect((await rejection(store.get('incident-7~worker-1'))).code).toBe('NOT_FOUND');
    expect((await rejection(store.get('../../etc/passwd'))).code).toBe('NOT_FOUND');
  });

  it('reports a corrupted file and a file from a newer svcpath, and lists the rest', async () => {
    const { dir, store } = tempStore();
    await store.put(snapshot('worker-1'));
    const root = join(dir, 'snapshots');
    writeFileSync(join(root, 'incident-7~worker-2.json'), '{\n  "formatVersion": 1,\n  "id": "incident-7~worker-2",\n  "files": [\n');
    const newer = { ...snapshot('worker-3'), formatVersion: 2 };
    writeFileSync(join(root, 'incident-7~worker-3.json'), JSON.stringify(newer));
    const badField = JSON.parse(JSON.stringify(snapshot('worker-4')));
    badField.files[0].kind = 'iptables-ish';
    writeFileSync(join(root, 'incident-7~worker-4.json'), JSON.stringify(badField, null, 2));

    const { snapshots, problems } = await store.list();
    expect(snapshots.map((s) => s.node)).toEqual(['worker-1']);
    expect(problems.map((p) => [p.file.split('/').pop(), p.code])).toEqual([
      ['incident-7~worker-2.json', 'INVALID'],
      ['incident-7~worker-3.json', 'TOO_NEW'],
      ['incident-7~worker-4.json', 'INVALID'],
    ]);
    expect(problems[0]?.message).toMatch(/incident-7~worker-2\.json:5: not valid JSON/);
    expect(problems[1]?.message).toMatch(/formatVersion 2: written by a newer svcpath; this one reads formats up to 1/);
    expect(problems[2]?.message).toMatch(/files\[0\]\.kind: /);
    // The same read whole, each file once: the documents themselves, the same problems.
    const whole = await store.all();
    expect(whole.snapshots.map((s) => [s.node, s.files.length])).toEqual([['worker-1', snapshots[0]!.files]]);
    expect(whole.problems).toEqual(problems);
    const error = await rejection(store.get('incident-7~worker-4'));
    expect(error.info).toMatchObject({ field: 'files[0].kind' });
  });

  it('refuses an invalid snapshot before writing anything', async () => {
    const { store } = tempStore();
    await store.put(snapshot('worker-1'));
    const bad = { ...snapshot('worker-1', 'changed'), id: 'other~worker-1' };
    const error = await rejection(store.put(bad));
    expect([error.code, error.info.field]).toEqual(['INVALID', 'id']);
    expect((await store.get('incident-7~worker-1')).files[0]?.text).toBe(IPTABLES);
  });

  // A real full disk: a 256 KiB tmpfs (needs root to mount; skipped otherwise).
  const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
  it.skipIf(!canMount)('a write that fails (disk full) leaves the old snapshot intact and no temp file', async () => {
    const { dir } = tempStore();
    const mnt = join(dir, 'small');
    spawnSync('mkdir', [mnt]);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    if (mounted.status !== 0) return; // e.g. no CAP_SYS_ADMIN in this container
    try {
      const store = createFileSnapshotStore(mnt);
      await store.put(snapshot('worker-1'));
      const before = readFileSync(join(mnt, 'incident-7~worker-1.json'));
      const big = `${IPTABLES}${'# padding line to fill the disk\n'.repeat(20_000)}`;
      const error = await rejection(store.put(snapshot('worker-1', big)));
      expect(error.code).toBe('WRITE_FAILED');
      expect(error.message).toMatch(/ENOSPC; the store is unchanged/);
      expect(readFileSync(join(mnt, 'incident-7~worker-1.json'))).toEqual(before);
      expect(readdirSync(mnt)).toEqual(['incident-7~worker-1.json']);
      expect((await store.get('incident-7~worker-1')).files[0]?.text).toBe(IPTABLES);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

describe('collection files', () => {
  it('round-trips a collection as JSON and as gzip', () => {
    const snaps = [snapshot('worker-1'), snapshot('worker-2')];
    for (const gzip of [false, true]) {
      const bytes = encodeCollection('incident-7', snaps, { gzip, exportedAt: '2025-03-14T12:00:00.000Z' });
      expect(bytes[0] === 0x1f).toBe(gzip);
      const doc = decodeSnapshotDocument(bytes, 'incident-7.svcpath.json');
      expect(doc.kind).toBe('collection');
      expect(snapshotsOf(doc)).toEqual(snaps);
    }
  });

  it('names the file and the field of a bad collection', () => {
    const text = JSON.stringify({ formatVersion: 1, kind: 'svcpath-collection', collection: 'x', exportedAt: 'yesterday', snapshots: [] });
    expect(() => decodeSnapshotDocument(Buffer.from(text), 'in.json')).toThrow(/in\.json: not a valid svcpath collection:\n {2}exportedAt: /);
    expect(() => decodeSnapshotDocument(Buffer.from('{"nftables": []}'), 'nft.json')).toThrow(/nft\.json: formatVersion: missing/);
  });
});
