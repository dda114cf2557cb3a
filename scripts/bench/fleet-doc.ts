import { fmtMs } from './measure';
import { writeSection } from './write-doc';

/** What scripts/bench/fleet-aggregate.ts measures. */
export interface AggregateFigures {
  readonly expectMs: number;
  readonly round1Ms: number;
  readonly round2Ms: number;
  readonly totalMs: number;
  readonly cpuMs: number;
  readonly maxRssBytes: number;
  readonly digestBytes: number;
  readonly detailBytesPerDriftingNode: number;
  readonly driftingNodes: number;
  readonly servicePorts: number;
  readonly planted: number;
  readonly found: number;
  readonly falsePositives: number;
  readonly screen: string;
}

export interface FleetRun {
  /** 1-minute load average when the aggregation finished. */
  readonly load: number;
  readonly services: number;
  readonly perService: number;
  readonly nodes: number;
  readonly hosts: number;
  readonly perKind: number;
  readonly variants: number;
  readonly renderMs: number;
  readonly dumpBytes: number;
  readonly figures: AggregateFigures;
}

/** The fleet section of docs/benchmarks.md. */
export function writeFleetSection(r: FleetRun): void {
  const f = r.figures;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  writeSection(
    'fleet',
    `## Fleet drift: 5,000 nodes on one 10,000-Service cluster (\`scripts/bench/fleet.ts\`)

Input: \`generateScaleCluster\` (seed 1, ${r.services.toLocaleString('en')} Services × ${r.perService} endpoints, ${f.servicePorts.toLocaleString('en')} Service ports)
with its endpoints on ${r.hosts} nodes, and a fleet of ${r.nodes.toLocaleString('en')} nodes: kube-proxy-sim rendered ${r.variants} distinct
rule sets (${(r.dumpBytes / 1e6).toFixed(1)} MB of iptables-save each), one per endpoint-hosting node, one per planted
drift (${r.perKind} nodes each: stale endpoint, missing endpoint, missing Service, stale Service, NodePort,
wrong shares — ${f.driftingNodes} drifting nodes in all) and one shared by the healthy rest. Rendering and reading
them took ${fmtMs(r.renderMs)} and is not part of the figures below. The aggregation runs in a process of its
own, from the cluster state as JSON and every node's digest as JSON text.

| step | figure | target |
| --- | --- | --- |
| read the cluster state once for the fleet (\`fleetExpectation\`: JSON parse, proxied ports, endpoint categorisation) | ${fmtMs(f.expectMs)} | |
| round 1: ${r.nodes.toLocaleString('en')} bucket-hash digests parsed and compared (includes the line above) | ${fmtMs(f.round1Ms)} | |
| round 2: the ${f.driftingNodes} differing nodes' detail for their differing buckets, explained | ${fmtMs(f.round2Ms)} | |
| **fleet summary, both rounds** (wall clock on the loaded machine) | **${fmtMs(f.totalMs)}** | ≤ 5 s |
| the same, CPU time of the aggregating process (all threads, GC included) | **${fmtMs(f.cpuMs)}** | |
| **peak memory (RSS of the aggregating process)** | **${mib(f.maxRssBytes)}** | ≤ 1 GiB |
| bytes per node digest (round 1, JSON) | ${f.digestBytes.toLocaleString('en')} B | kilobytes, not the ${(r.dumpBytes / 1e6).toFixed(0)} MB dump |
| bytes per drifting node's round-2 detail (JSON) | ${f.detailBytesPerDriftingNode.toLocaleString('en')} B | |
| planted disagreements found | **${f.found} of ${f.planted}, ${f.falsePositives} false** | all, none false |

The report as \`svcpath fleet\` prints it:

\`\`\`
${f.screen.trimEnd()}
\`\`\`

The peer figure is the dump itself: one node's ${(r.dumpBytes / 1e6).toFixed(1)} MB against a ${f.digestBytes.toLocaleString('en')}-byte digest
(${Math.round(r.dumpBytes / f.digestBytes).toLocaleString('en')}× less to move per node). Measured on a shared 2-core machine with a 1-minute load
average of ${r.load.toFixed(1)} at the end of the run: times on an idle machine are lower.`,
  );
}
