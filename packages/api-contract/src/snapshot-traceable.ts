/**
 * Which of a snapshot's files to hand the tracer. A node's collection holds the same rules more
 * than once: `iptables-save` prints one backend, `iptables-nft-save` / `-legacy-save` print both,
 * and `nft list ruleset` shows iptables-nft's tables again in nft syntax. Tracing them together
 * would walk every rule twice, so this picks one view per dataplane.
 */
import type { Snapshot, SnapshotFile } from './snapshot';

/** The IPv4 iptables dumps, in the order to prefer them: the node's default backend first. */
const IPTABLES_PREFERENCE = ['iptables-save', 'iptables-nft-save', 'iptables-legacy-save'];

/**
 * Whether a file holds anything. A long one is taken as holding something without reading it: the
 * server builds an upload's text from its pieces, and the first read of a 40 MB text so built copies
 * it whole (~140 ms of the event loop, measured), which an import must not cost its other requests.
 */
function nonEmpty(f: SnapshotFile): boolean {
  return f.text.length > 4096 || f.text.trim() !== '';
}

/** The files to trace: the kube-proxy dataplane's own dump, once. */
export function traceableFiles(snapshot: Pick<Snapshot, 'files' | 'mode'>): { name: string; text: string }[] {
  const nft = snapshot.files.filter((f) => (f.kind === 'nft-text' || f.kind === 'nft-json') && nonEmpty(f));
  const iptables = snapshot.files.filter((f) => f.kind === 'iptables' && nonEmpty(f));
  const collected = iptables.filter((f) => f.commandId !== null);
  let picked: SnapshotFile[];
  if (snapshot.mode === 'nftables' && nft.length > 0) picked = nft;
  else if (collected.length > 0) {
    const ranked = IPTABLES_PREFERENCE.flatMap((id) => collected.filter((f) => f.commandId === id));
    const best = ranked.find((f) => f.text.includes('KUBE-')) ?? ranked[0];
    picked = best ? [best] : [];
  } else picked = iptables;
  if (picked.length === 0) picked = nft;
  return picked.map((f) => ({ name: f.name, text: f.text }));
}
