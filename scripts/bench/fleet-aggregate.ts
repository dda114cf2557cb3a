/**
 * The timed half of scripts/bench/fleet.ts, in a process of its own so its time and peak memory are
 * the aggregation's alone: reads the cluster state JSON, then every node's digest as JSON text
 * (round 1: bucket hashes), then for the nodes that differ their detail for the differing buckets
 * only (round 2), as `svcpath fleet` does. Prints its figures as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bucketOf, fleetAggregator, fleetExpectation, formatFleetReport, type NodeDigest, type PortState } from '@svcpath/fleet';
import { reportedLines, type PlantedLine } from '@svcpath/fleet/simulate';

const dir = process.argv[2]!;
interface VariantFiles {
  readonly label: string;
  readonly nodes: readonly string[];
  readonly summary: string;
  readonly detail: string;
}
const plan = JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8')) as { variants: VariantFiles[]; planted: PlantedLine[] };

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const expectation = fleetExpectation(JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')));
const expectMs = performance.now() - t0;

// Round 1: each node's digest arrives as text (a node's stdout); the variant's text is read once.
const summaries = plan.variants.map((v) => readFileSync(v.summary, 'utf8'));
const round1 = fleetAggregator(expectation);
// Kept for round 2, as \`svcpath fleet\` keeps them: only the differing nodes are asked again.
const received = new Map<string, NodeDigest>();
plan.variants.forEach((v, i) => {
  for (const node of v.nodes) {
    const d = { ...(JSON.parse(summaries[i]!) as NodeDigest), node };
    received.set(node, d);
    round1.add(d);
  }
});
const first = round1.report();
const round1Ms = performance.now() - t0;

// Round 2: the differing buckets' detail, cut from the variant's full detail as the node would.
const t1 = performance.now();
const variantOf = new Map<string, number>();
plan.variants.forEach((v, i) => v.nodes.forEach((n) => variantOf.set(n, i)));
const answers = new Map<string, NodeDigest>();
const round2 = fleetAggregator(expectation);
const undetailed = new Map(first.undetailed.map((u) => [u.node, u.buckets]));
let detailBytes = 0;
plan.variants.forEach((v, i) => {
  for (const node of v.nodes) {
    const buckets = undetailed.get(node);
    if (!buckets) {
      round2.add(received.get(node)!);
      continue;
    }
    // The node's answer (its part: every node of a variant answers the same, so it is cut once).
    const key = `${i} ${buckets.join(',')}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      const full = JSON.parse(readFileSync(v.detail, 'utf8')) as NodeDigest;
      const wanted = new Set(buckets);
      const detail: Record<string, PortState> = {};
      for (const [name, s] of Object.entries(full.detail ?? {})) if (wanted.has(bucketOf(name))) detail[name] = s;
      answers.set(key, (answer = { ...full, detail, detailBuckets: buckets }));
    }
    const text = JSON.stringify({ ...answer, node });
    detailBytes += text.length;
    round2.add(JSON.parse(text) as NodeDigest);
  }
});
const report = round2.report();
const round2Ms = performance.now() - t1;
const cpu = process.cpuUsage(cpu0);

const key = (l: PlantedLine) => `${l.node} ${l.portName}: ${l.lines.join('; ')}`;
const want = new Set(plan.planted.map(key));
const got = new Set(reportedLines(report).map(key));
console.log(
  JSON.stringify({
    expectMs,
    round1Ms,
    round2Ms,
    totalMs: round1Ms + round2Ms,
    // CPU time of both rounds (all threads, GC included): what the figures cost on an idle machine.
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    digestBytes: summaries[summaries.length - 1]!.length,
    detailBytesPerDriftingNode: first.undetailed.length ? Math.round(detailBytes / first.undetailed.length) : 0,
    driftingNodes: first.undetailed.length,
    servicePorts: expectation.servicePorts,
    planted: want.size,
    found: [...want].filter((k) => got.has(k)).length,
    falsePositives: [...got].filter((k) => !want.has(k)).length,
    screen: formatFleetReport(report),
  }),
);
