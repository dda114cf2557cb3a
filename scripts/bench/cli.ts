/**
 * The command line as a user runs it: whole processes of the built CLI (apps/cli/dist, rebuilt
 * first), timed from spawn to exit, with peak memory (RSS) from /usr/bin/time. Startup is shown
 * above a bare `node -e 0` measured in the same run; each command runs on the 10,000-Service dumps
 * of every mode (scripts/bench/dumps.ts), beside `iptables-restore --test` on the same iptables file
 * and the in-process parse + index figures. Prints figures and writes them to docs/benchmarks.md.
 * Never fails. BENCH_RUNS sets how many runs each median takes (default 3).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanIptablesSave } from '@svcpath/parse-iptables';
import { loadRuleset } from '@svcpath/ruleset';
import { build } from '../build.mjs';
import { PER_SERVICE, SERVICES, benchCluster, protoOf, writeDumps } from './dumps';
import { fmtMs, median, timeInNetns, timeMedian } from './measure';
import { writeSection } from './write-doc';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TIME = '/usr/bin/time';
const CLI = 'apps/cli/bin/svcpath.js';
const SMALL = 'packages/tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt';

interface Run {
  readonly ms: number;
  readonly rssMiB: number | null;
  readonly status: number | null;
}

/** One whole process: wall time from spawn to exit, peak RSS when /usr/bin/time is there. */
function runOnce(args: readonly string[]): Run {
  const timed = existsSync(TIME);
  const cmd = timed ? TIME : process.execPath;
  const argv = timed ? ['-f', '%M', process.execPath, ...args] : [...args];
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  const kb = timed ? Number(/(\d+)\s*$/.exec(r.stderr)?.[1]) : NaN;
  return { ms, rssMiB: Number.isFinite(kb) ? kb / 1024 : null, status: timed ? Number(/Command exited with non-zero status (\d+)/.exec(r.stderr)?.[1] ?? 0) : r.status };
}

/** The median of `RUNS` whole processes (one warm-up first reads the files into the page cache). */
function measure(label: string, args: readonly string[], runs = RUNS): { ms: number; rssMiB: number | null; status: number | null } {
  runOnce(args);
  const all = Array.from({ length: runs }, () => runOnce(args));
  const rss = all.map((r) => r.rssMiB).filter((x): x is number => x !== null);
  const out = { ms: median(all.map((r) => r.ms)), rssMiB: rss.length ? Math.max(...rss) : null, status: all[0]!.status };
  console.log(`${label}: ${fmtMs(out.ms)} median of ${runs}${out.rssMiB === null ? '' : `, peak ${out.rssMiB.toFixed(0)} MiB`}${out.status ? ` (exit ${out.status})` : ''}`);
  return out;
}

const loadBefore = loadavg()[0]!;
const built = await build();
console.log(`build (esbuild, CLI and server): ${fmtMs(built.ms)}`);

const { cluster, ports } = benchCluster();
const dir = mkdtempSync(join(tmpdir(), 'svcpath-bench-cli-'));
const dumps = writeDumps(dir, cluster, ports);
const svc = ports[Math.floor(ports.length / 2)]!;
const flow = ['--src', '10.200.0.7', '--dst', svc.info.clusterIP.text, '--dport', String(svc.info.port), '--proto', protoOf(svc.info)];
const nodeIP = cluster.nodes.find((n) => n.metadata.name === cluster.nodeName)?.status?.addresses?.[0]?.address ?? '192.168.0.2';
const mb = (f: string) => `${(readFileSync(f).length / 1e6).toFixed(1)} MB`;

const bare = measure('node -e 0', ['-e', '0'], 5);
const help = measure('svcpath --help', [CLI, '--help'], 5);
const small = measure('svcpath trace, small dump', [CLI, 'trace', '--rules', SMALL, '--src', '10.0.0.2', '--dst', '172.30.0.41', '--dport', '80'], 5);
const ipt = measure('svcpath trace, 10k iptables', [CLI, 'trace', '--rules', dumps.iptables, ...flow]);
const peer = timeInNetns(['iptables-restore', '--test'], dumps.iptables, 20 * 60_000);
const peerText = 'ms' in peer ? fmtMs(peer.ms) : `not measured: ${peer.error}`;
console.log(`iptables-restore --test: ${peerText}`);
const nft = measure('svcpath trace, 10k nftables', [CLI, 'trace', '--rules', dumps.nft, ...flow]);
const ipvs = measure('svcpath trace, 10k IPVS', [CLI, 'trace', ...dumps.ipvs.flatMap((f) => ['--rules', f]), ...flow]);
const doctor = measure('svcpath doctor, 10k iptables, no cluster state', [CLI, 'doctor', '--rules', dumps.iptables, '--node', cluster.nodeName, '--node-ip', nodeIP]);
const compare = measure('svcpath compare, two nodes of 10k iptables', [CLI, 'compare', '--rules', `a=${dumps.iptables}`, '--rules', `b=${dumps.iptables}`], 1);

// In-process, same run: what the server's engine does when a snapshot is ingested (loadRuleset,
// every rule checked), and the parse + index a trace pays, for each mode.
const read = (f: string) => ({ name: f, text: readFileSync(f, 'latin1') });
const ingest = timeMedian(RUNS, () => loadRuleset([read(dumps.iptables)]));
const nftIndex = timeMedian(RUNS, () => loadRuleset([read(dumps.nft)]));
const ipvsIndex = timeMedian(RUNS, () => loadRuleset(dumps.ipvs.map(read)));
console.log(`in-process loadRuleset: iptables ${fmtMs(ingest.ms)}, nftables ${fmtMs(nftIndex.ms)}, IPVS ${fmtMs(ipvsIndex.ms)}`);
// The CLI's path for one iptables-save file: scanned in place (parse-iptables scan.ts), chains read when walked.
const scanned = timeMedian(RUNS, () => {
  const fd = openSync(dumps.iptables, 'r');
  try {
    const r = scanIptablesSave({ read: (into, offset, length, position) => readSync(fd, into, offset, length, position), size: fstatSync(fd).size }, { file: dumps.iptables });
    if ('refused' in r) throw new Error(r.refused);
  } finally {
    closeSync(fd);
  }
});
console.log(`in-process scan of the iptables dump: ${fmtMs(scanned.ms)}`);
const loadAfter = loadavg()[0]!;

const above = (ms: number) => fmtMs(Math.max(0, ms - bare.ms));
const rss = (m: { rssMiB: number | null }) => (m.rssMiB === null ? 'n/a' : `${m.rssMiB.toFixed(0)} MiB`);
const ratio = (ms: number) => ('ms' in peer ? `${(peer.ms / ms).toFixed(1)}×` : 'n/a');

writeSection(
  'cli',
  `## The command line, whole processes (\`scripts/bench/cli.ts\`)

Each figure is one whole process of the built CLI (\`node apps/cli/bin/svcpath.js …\`, what \`npx svcpath\` runs), from spawn to exit, median of ${RUNS} after a warm-up run (5 for the small ones); peak memory is the largest RSS /usr/bin/time saw. Dumps: ${SERVICES.toLocaleString('en')} Services × ${PER_SERVICE} endpoints in each mode (\`scripts/bench/dumps.ts\`). Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end of this run on 2 cores: above about 1, every figure here is inflated.

| command | input | whole process | above \`node -e 0\` | peak RSS | peer (same run) |
| --- | --- | --- | --- | --- | --- |
| \`node -e 0\` | | ${fmtMs(bare.ms)} | | ${rss(bare)} | |
| \`svcpath --help\` | | ${fmtMs(help.ms)} | ${above(help.ms)} | ${rss(help)} | |
| \`svcpath trace\` | kube-proxy's TestOverallIPTablesRules dump (~60 rules) | ${fmtMs(small.ms)} | ${above(small.ms)} | ${rss(small)} | |
| **\`svcpath trace\`** | iptables-save, ${mb(dumps.iptables)} | **${fmtMs(ipt.ms)}** | ${above(ipt.ms)} | ${rss(ipt)} | \`iptables-restore --test\`: ${peerText}; **${ratio(ipt.ms)}** |
| \`svcpath trace\` | \`nft list ruleset\`, ${mb(dumps.nft)} | ${fmtMs(nft.ms)} | ${above(nft.ms)} | ${rss(nft)} | \`nft -c -f\`: see the nftables section |
| \`svcpath trace\` | IPVS: iptables-save + \`ipvsadm -Sn\` + \`ipset save\` | ${fmtMs(ipvs.ms)} | ${above(ipvs.ms)} | ${rss(ipvs)} | none (no ip_vs here) |
| \`svcpath doctor\` (no cluster state) | iptables-save, ${mb(dumps.iptables)} | ${fmtMs(doctor.ms)} | ${above(doctor.ms)} | ${rss(doctor)} | |
| \`svcpath compare --rules a=… --rules b=…\` (1 run) | the same dump as two nodes | ${fmtMs(compare.ms)} | ${above(compare.ms)} | ${rss(compare)} | |

In-process in the same run (median of ${RUNS}, \`loadRuleset\`: every rule located and checked, as the server's engine does on ingest and the CLI for every dump but one iptables-save file): iptables ${fmtMs(ingest.ms)}, nftables ${fmtMs(nftIndex.ms)}, IPVS ${fmtMs(ipvsIndex.ms)}. The CLI's \`trace\` reads one iptables-save file by scanning it in place instead (\`scanIptablesSave\`: every line checked, each chain's rules read when a trace walks them): ${fmtMs(scanned.ms)}. Building the CLI and the server (esbuild, \`npm ci\` runs it as \`prepare\`): ${fmtMs(built.ms)}.

Targets (issue 11, idle machine): \`--help\` ≤ 150 ms and a small trace ≤ 300 ms above bare node; the 10k iptables trace ≥ 10× faster than \`iptables-restore --test\` with peak RSS ≤ 400 MiB; nftables parse + index ≤ 1 s; IPVS ≤ 0.5 s; doctor ≤ 1.5 s; server ingest ≤ 2 s.`,
);
