import { bytesSource, scanIptablesSave } from '@svcpath/parse-iptables';
import { detectFormat, type DumpFile } from '@svcpath/ruleset';
import { receivedFiles, sharedText, type DumpText } from '../snapshots/shared-text';

/** What format detection reads of a dump (see detectFormat). */
const HEAD_BYTES = 64 * 1024;

/**
 * Files as the engine reads them. A node's one iptables-save dump, posted as shared bytes, is
 * scanned in place as the CLI reads one (parse-iptables' scan.ts: every line checked as the full
 * parse checks it, each chain's rules read when first used): a 10,000-Service upload is then
 * neither decoded to text (~0.15 s) nor parsed whole (~0.9 s). What the scan leaves to the full
 * parser (a paste, `-I` lines, counters, a byte-order mark), and every other file, is read as text.
 */
export function engineFiles(files: readonly DumpText[]): DumpFile[] {
  const heads = files.map((f) => (f.shared ? sharedText(f.shared.subarray(0, HEAD_BYTES)) : f.text.slice(0, HEAD_BYTES)));
  // Several iptables files are merged chain by chain (ruleset's load.ts), which reads every rule.
  const iptables = files.filter((_, i) => detectFormat(heads[i]!) === 'iptables');
  const scan = iptables.length === 1 ? iptables[0]!.shared : undefined;
  return files.map((f) => {
    if (scan && f.shared === scan) {
      const r = scanIptablesSave(bytesSource(scan), { file: f.name });
      if (!('refused' in r)) return { name: f.name, text: r.head, scanned: r };
    }
    return receivedFiles([f])[0]!;
  });
}
