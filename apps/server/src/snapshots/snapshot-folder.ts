import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { loadCollectionFile, isCollectionFileName } from './snapshot-collection-file';
import { snapshotId, type Snapshot } from './snapshot';

const Meta = z.object({
  collection: z.string().min(1).max(100).optional(),
  node: z.string().min(1).max(253),
  takenAt: z.iso.datetime(),
  nodeIPs: z.array(z.string()).default([]),
  source: z.string().optional(),
});

const NOT_DUMPS = new Set(['meta.json', 'README.md']);

/**
 * Reads a collection folder: svcpath collection files (`*.svcpath.json`, maybe `.gz`, as
 * `svcpath snapshots export` and scripts/make-demo.ts write them), and one sub-folder per node
 * holding the node's dump files and a `meta.json` ({ collection?, node, takenAt, nodeIPs }).
 * Sub-folders without meta.json are skipped.
 */
export async function loadSnapshotFolder(dir: string): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && isCollectionFileName(e.name)).sort((a, b) => a.name.localeCompare(b.name)))
    out.push(...(await loadCollectionFile(join(dir, entry.name))));
  for (const entry of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory())) {
    const nodeDir = join(dir, entry.name);
    const metaText = await readFile(join(nodeDir, 'meta.json'), 'utf8').catch(() => null);
    if (metaText === null) continue;
    const meta = Meta.parse(JSON.parse(metaText));
    const names = (await readdir(nodeDir)).filter((n) => !NOT_DUMPS.has(n)).sort();
    const files = [];
    for (const name of names) if ((await stat(join(nodeDir, name))).isFile()) files.push({ name, text: await readFile(join(nodeDir, name), 'utf8') });
    const collection = meta.collection ?? basename(dir);
    out.push({ id: snapshotId(collection, meta.node), collection, node: meta.node, takenAt: meta.takenAt, nodeIPs: meta.nodeIPs, files });
  }
  return out;
}
