/**
 * Fleet drift at scale, without a cluster: one 10,000-Service × 10-endpoint cluster state, a fleet
 * of 5,000 nodes whose rules kube-proxy-sim renders once per distinct variant (each endpoint-hosting
 * node, one healthy endpoint-free node shared by the healthy rest, one per planted drift shared by
 * the nodes carrying it). The aggregation then runs in a fresh process (scripts/bench/fleet-aggregate.ts)
 * on the digests as JSON, as `svcpath fleet` would receive them: round 1 bucket hashes from every
 * node, round 2 detail for the differing buckets only. Prints figures, checks every planted
 * disagreement was found and nothing else, and writes docs/benchmarks.md. Never fails a build.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScaleCluster } from '@svcpath/kube-proxy-sim';
import { DRIFT_KINDS, simulateFleet, variantDigest } from '@svcpath/fleet/simulate';
import { fmtMs } from './measure';
import { writeFleetSection, type AggregateFigures } from './fleet-doc';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 10_000);
const PER_SERVICE = Number(process.env.BENCH_ENDPOINTS ?? 10);
const NODES = Number(process.env.BENCH_FLEET_NODES ?? 5_000);
const HOSTS = Number(process.env.BENCH_FLEET_HOSTS ?? 2);
/** Nodes per planted drift kind: 6 kinds × 25 = 150 nodes, 3% of 5,000. */
const PER_KIND = Number(process.env.BENCH_FLEET_PER_KIND ?? 25);

/** BENCH_FLEET_DIR: aggregate the fleet a previous run rendered there (rendering takes minutes). */
const reuse = process.env.BENCH_FLEET_DIR;
const dir = reuse ?? mkdtempSync(join(tmpdir(), 'svcpath-bench-fleet-'));
const run = reuse ? (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RenderRun) : render(dir);
console.log(`fleet: ${run.variants} variants rendered and read in ${fmtMs(run.renderMs)} (${(run.dumpBytes / 1e6).toFixed(1)} MB dump each), in ${dir}`);

interface RenderRun {
  readonly variants: number;
  readonly renderMs: number;
  readonly dumpBytes: number;
}

function render(dir: string): RenderRun {
  const t0 = performance.now();
  const cluster = generateScaleCluster({ services: SERVICES, endpointsPerService: PER_SERVICE, seed: 1, nodes: HOSTS });
  const fleet = simulateFleet({ cluster, size: NODES, drift: Object.fromEntries(DRIFT_KINDS.map((k) => [k, PER_KIND])) });
  const renderMs = performance.now() - t0;
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ services: fleet.truth.services, endpointSlices: fleet.truth.endpointSlices, nodes: fleet.truth.nodes }));
  const variants = fleet.variants.map((v, i) => {
    const summary = join(dir, `v${i}.json`);
    const detail = join(dir, `v${i}.detail.json`);
    writeFileSync(summary, JSON.stringify(variantDigest(v, 'NODE')));
    writeFileSync(detail, JSON.stringify(variantDigest(v, 'NODE', 'all')));
    return { label: v.label, nodes: v.nodes, summary, detail };
  });
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify({ variants, planted: fleet.planted }));
  const out = { variants: fleet.variants.length, renderMs, dumpBytes: fleet.variants[0]!.dumpBytes };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(out));
  return out;
}

const child = spawnSync('node', ['--import', 'tsx', 'scripts/bench/fleet-aggregate.ts', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
if (child.status !== 0) {
  console.log(`fleet: the aggregation exited ${child.status}\n${child.stderr}`);
} else {
  const figures = JSON.parse(child.stdout) as AggregateFigures;
  console.log(figures.screen);
  console.log(`fleet: ${NODES} nodes, round 1 ${fmtMs(figures.round1Ms)}, round 2 ${fmtMs(figures.round2Ms)}, total ${fmtMs(figures.totalMs)} (CPU ${fmtMs(figures.cpuMs)}); peak RSS ${(figures.maxRssBytes / 2 ** 20).toFixed(0)} MiB; ${figures.digestBytes} B per node digest; found ${figures.found}/${figures.planted} planted, ${figures.falsePositives} false`);
  console.log(`fleet: load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on this machine`);
  writeFleetSection({ load: loadavg()[0]!, services: SERVICES, perService: PER_SERVICE, nodes: NODES, hosts: HOSTS, perKind: PER_KIND, ...run, figures });
}
