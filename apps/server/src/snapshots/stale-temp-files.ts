import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The store's temp files: `.<file>.<pid>.<random>.tmp` (apps/collector's atomic-write.ts). */
const TEMP = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, not ours to signal
  }
}

/**
 * Removes the temp files a writer killed mid-write left in the store (a kill -9 during a 25 MB
 * import leaves one that nothing else would remove). Only files of processes that no longer run:
 * a CLI writing to the same store right now keeps its file. Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return []; // no store yet
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    await unlink(join(dir, name)).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}
