import { execFileSync } from 'node:child_process';
import { BUCKETS, makeNodeDigest, type NodeDigest } from '@svcpath/fleet';
import { loadRuleset, type DumpFile } from '@svcpath/ruleset';
import { CliError, readFlags, readUserFile, type Io } from './io';

const HELP = `Usage: svcpath node-digest --node NAME [--rules FILE ...] [--detail all|N,N,...]

Prints this node's compact per-Service digest as JSON (see "svcpath fleet"): the kube-proxy mode and
a hash per bucket of Service ports, a few kilobytes whatever the cluster's size; with --detail, the
full state (endpoints, shares, affinity, NodePort) of the Service ports in those buckets.

  --node NAME      the Kubernetes node name (the digest is labelled with it)
  --rules FILE     read these dumps (iptables-save, nft list ruleset) instead of this host's rules;
                   repeatable
  --detail WHICH   "all", or bucket numbers 0-${BUCKETS - 1} separated by commas (as "svcpath fleet"
                   lists them for a node that disagrees)

Without --rules it reads this host's rules with fixed read-only commands, choosing the iptables
backend the way kube-proxy's image does (iptables-wrapper): the backend holding kubelet's and
kube-proxy's hint chains, else the one with more KUBE- rules; plus "nft list table ip kube-proxy"
for nftables mode. It is what the fleet collector Pod runs (host network, NET_ADMIN, NET_RAW).`;

const OPTIONS = {
  node: { type: 'string' },
  rules: { type: 'string', multiple: true },
  detail: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function nodeDigestCommand(args: string[], io: Io): Promise<number> {
  const values = readFlags(args, OPTIONS, HELP, io);
  if (!values) return 0;
  if (!values.node) throw new CliError(`--node NAME is required\n\n${HELP}`, 2);
  const detail = values.detail === undefined ? undefined : parseDetail(values.detail);
  const { files, backend } = values.rules?.length ? { files: values.rules.map((f) => ({ name: f, text: readUserFile(io, f, 'dump') })), backend: null } : readHostRules();
  io.stdout.write(`${JSON.stringify(digestOfDumps(values.node, files, backend, detail))}\n`);
  return 0;
}

/** `all` or a list of bucket numbers. */
export function parseDetail(text: string): 'all' | number[] {
  if (text === 'all') return 'all';
  const out = text.split(',').map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < 0 || n >= BUCKETS)) throw new CliError(`--detail: expected "all" or bucket numbers 0-${BUCKETS - 1} separated by commas, got "${text}"`, 2);
  return out;
}

/** The digest of a node's dumps; parse problems become the digest's notes. */
export function digestOfDumps(node: string, files: readonly DumpFile[], backend: 'legacy' | 'nft' | null, detail?: 'all' | readonly number[]): NodeDigest {
  const { ruleset, diagnostics } = loadRuleset(files, { lazy: true });
  const notes = diagnostics.filter((d) => d.severity === 'error').slice(0, 20).map((d) => `${d.span.file}:${d.span.line}: ${d.message}`);
  if (!ruleset) return { kind: 'node-digest', version: 1, node, mode: 'none', backend, portCount: 0, buckets: [], notes: [...notes, 'no rules svcpath can read'] };
  return makeNodeDigest(ruleset, { node, backend, notes, ...(detail ? { detail } : {}) });
}

/**
 * kube-proxy's image decides between iptables-legacy and iptables-nft (kubernetes-sigs/iptables-wrappers):
 * kubelet and kube-proxy leave hint chains (KUBE-IPTABLES-HINT, KUBE-KUBELET-CANARY) in the backend
 * they use; without them, the backend with more KUBE- rules wins, nft on a tie.
 */
export function chooseIptablesBackend(legacy: string | null, nft: string | null): 'legacy' | 'nft' | null {
  const hinted = (t: string | null) => t !== null && /^:(KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY) /m.test(t);
  if (hinted(nft)) return 'nft';
  if (hinted(legacy)) return 'legacy';
  const count = (t: string | null) => (t === null ? -1 : (t.match(/^-A KUBE-/gm) ?? []).length);
  if (legacy === null && nft === null) return null;
  return count(legacy) > count(nft) ? 'legacy' : 'nft';
}

/** Runs one fixed read-only command; null when the tool is missing or fails. */
function run(file: string, args: readonly string[]): string | null {
  try {
    return execFileSync(file, args, { encoding: 'latin1', maxBuffer: 512 << 20, timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/** This host's kube-proxy rules: the chosen iptables backend's dump, and kube-proxy's nft table. */
function readHostRules(): { files: DumpFile[]; backend: 'legacy' | 'nft' | null } {
  const legacy = run('iptables-legacy-save', []);
  const nft = run('iptables-nft-save', []);
  const backend = chooseIptablesBackend(legacy, nft);
  const files: DumpFile[] = [];
  const chosen = backend === 'legacy' ? legacy : backend === 'nft' ? nft : run('iptables-save', []);
  if (chosen) files.push({ name: `iptables-${backend ?? 'save'}`, text: chosen });
  const table = run('nft', ['list', 'table', 'ip', 'kube-proxy']);
  if (table) files.push({ name: 'nft-kube-proxy', text: table });
  if (files.length === 0) throw new CliError('cannot read this host\'s rules: none of iptables-legacy-save, iptables-nft-save, iptables-save or nft ran (run as root with NET_ADMIN, or pass --rules FILE)', 1);
  return { files, backend };
}
