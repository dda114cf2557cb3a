/**
 * Test support: a cluster of `size` nodes behind the fake API server (../../cluster/fake-apiserver.ts,
 * the only stand-in for a kube-apiserver — none can run here) for live fleet tests of the collector,
 * the CLI and the server. Cluster state and each node's rules come from kube-proxy-sim through
 * @svcpath/fleet/simulate: 120 Services over 3 endpoint-hosting nodes, a few nodes with drift
 * planted, the rest healthy.
 *
 * THE KUBELET DOUBLE: real node Pods run `node /app/apps/cli/bin/svcpath.js node-digest --node N`
 * in the svcpath image on the node. Here no node and no image exist, so the fake's kubelet checks
 * that the container command is exactly that (plus `--detail` in the second round) and prints the
 * digest the simulated node's rules give (`variantDigest`, the same code `node-digest` ends in).
 * Nodes named in `neverRun` keep their Pods Pending forever (a node that never schedules them).
 * Dump Pods (`collect --via-pod`'s, for `dumps`) run their real script with `sh`, on a PATH where
 * every catalogue tool is a stub and nothing else of this machine is reachable: `iptables-save` prints the node's rules as kube-proxy-sim renders
 * them from the cluster state (without the node's planted drift), the others are "not found".
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScaleCluster, renderIptablesSave } from '@svcpath/kube-proxy-sim';
import { simulateFleet, variantDigest, type SimulatedFleet, type Variant } from '@svcpath/fleet/simulate';
import { startFakeApiServer, type FakeApiServer, type ForbiddenRule } from '../../cluster/fake-apiserver.js';
import { writeKubeconfig } from '../../cluster/test-kubeconfig.js';

export interface FleetStandIn {
  readonly api: FakeApiServer;
  readonly kubeconfigPath: string;
  readonly fleet: SimulatedFleet;
  /** The simulated cluster's Pod CIDR (to render a node's rules with kube-proxy-sim). */
  readonly clusterCIDR: string;
  /** Every node name, sorted. */
  readonly nodes: readonly string[];
  /** Nodes with planted drift. */
  readonly drifting: readonly string[];
  /** Pods created per node and round: the `--detail` argument or '' for the first round. */
  readonly runs: { node: string; detail: string }[];
  close(): Promise<void>;
}

export interface FleetStandInOptions {
  readonly size: number;
  readonly neverRun?: readonly string[];
  readonly forbidden?: readonly ForbiddenRule[];
  /** Delay before a container prints its digest (to cancel mid-run). */
  readonly runMs?: number;
}

const PREFIX = ['node', '/app/apps/cli/bin/svcpath.js', 'node-digest', '--node'];
interface PodShape {
  spec: { nodeName: string; containers: { command: string[]; env?: { name: string; value: string }[] }[] };
}

/** What the dump script itself runs, and the catalogue's harmless readers (cat of /proc, uname). */
const UTILITIES = ['sh', 'cat', 'mktemp', 'head', 'wc', 'tr', 'timeout', 'rm', 'uname', 'sleep'];
const STUBBED = ['ip', 'ip6tables-legacy-save', 'ip6tables-nft-save', 'ip6tables-save', 'ipset', 'iptables', 'iptables-legacy-save', 'iptables-nft-save', 'ipvsadm', 'nft', 'conntrack'];

/** A folder of tool stubs for dump Pods (see the header). */
function stubTools(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const tool of STUBBED) {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool}: not found on this node" >&2\nexit 127\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  writeFileSync(join(bin, 'iptables-save'), '#!/bin/sh\ncat "$SVCPATH_TEST_RULES"\n');
  chmodSync(join(bin, 'iptables-save'), 0o755);
  // PATH is this folder only: the script's own utilities are linked in, so no network tool of the
  // machine running the test can be reached by a dump Pod's commands.
  for (const util of UTILITIES) {
    const found = ['/usr/bin', '/bin'].map((d) => join(d, util)).find((f) => existsSync(f));
    if (found) symlinkSync(found, join(bin, util));
  }
  return bin;
}

/** The kubelet's part for a dump Pod: its real script, with the stubs first on PATH. */
function runDumpPod(c: PodShape['spec']['containers'][number], rules: string, bin: string, write: (s: string) => void, signal: AbortSignal): Promise<number> {
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
  return new Promise((resolve) => {
    const child = spawn(c.command[0]!, c.command.slice(1), { env: { PATH: bin, ...env, TMPDIR: tmpdir(), SVCPATH_TEST_RULES: rules }, signal });
    child.stdout.setEncoding('utf8').on('data', write);
    child.stderr.setEncoding('utf8').on('data', write);
    child.on('error', () => resolve(137));
    child.on('close', (code) => resolve(code ?? 137));
  });
}

/** Starts the fake API server with the simulated cluster and writes a kubeconfig for it. */
export async function startFleetStandIn(o: FleetStandInOptions): Promise<FleetStandIn> {
  const cluster = generateScaleCluster({ services: 120, endpointsPerService: 3, seed: 5, nodes: 3 });
  const fleet = simulateFleet({ cluster, size: o.size, drift: { 'stale-endpoint': 2, 'missing-service': 1, 'wrong-shares': 1, 'node-port': 1 }, nftables: 2 });
  const variantOf = new Map<string, Variant>();
  for (const v of fleet.variants) for (const n of v.nodes) variantOf.set(n, v);
  const nodes = [...variantOf.keys()].sort();
  // Endpoint-free nodes carry no zone (as in the simulation); a pool label to select by.
  const nodeObjects = nodes.map((name, i) => fleet.truth.nodes.find((n) => n.metadata.name === name) ?? { metadata: { name, labels: { 'svcpath.test/pool': i % 2 ? 'odd' : 'even' } } });
  const neverRun = new Set(o.neverRun ?? []);
  const runs: { node: string; detail: string }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'svcpath-fleet-live-'));
  const bin = stubTools(dir);
  const api = await startFakeApiServer({
    objects: { services: fleet.truth.services, endpointslices: fleet.truth.endpointSlices, nodes: nodeObjects },
    tokens: ['fleet-token'],
    ...(o.forbidden ? { forbidden: o.forbidden } : {}),
    podLifecycle: {
      phases: (pod) => (neverRun.has((pod as PodShape).spec.nodeName) ? ['Pending'] : ['Pending', 'Running', 'Succeeded']),
      run: async (pod, write, signal) => {
        const { nodeName, containers } = (pod as PodShape).spec;
        const command = containers[0]!.command;
        if (command[0] === '/bin/sh') {
          const rules = join(dir, `${nodeName}.rules`);
          writeFileSync(rules, renderIptablesSave(fleet.truth, { nodeName, clusterCIDR: cluster.clusterCIDR }));
          return runDumpPod(containers[0]!, rules, bin, write, signal);
        }
        const ok = PREFIX.every((w, i) => command[i] === w) && command[4] === nodeName && (command.length === 5 || (command.length === 7 && command[5] === '--detail'));
        if (!ok) {
          write(`unexpected command ${JSON.stringify(command)}\n`);
          return 2;
        }
        const detail = command[6] ?? '';
        runs.push({ node: nodeName, detail });
        if (o.runMs) await new Promise((r) => setTimeout(r, o.runMs));
        if (signal.aborted) return 137;
        const v = variantOf.get(nodeName);
        if (!v) {
          write(`no rules for ${nodeName}\n`);
          return 1;
        }
        write(`${JSON.stringify(variantDigest(v, nodeName, detail ? detail.split(',').map(Number) : undefined))}\n`);
        return 0;
      },
    },
  });
  const kubeconfigPath = writeKubeconfig(join(dir, 'kubeconfig'), {
    clusters: [{ name: 'sim', server: api.url, caPem: api.caPem }],
    users: [{ name: 'u', token: 'fleet-token' }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'u' }],
    currentContext: 'sim',
  });
  const drifting = [...new Set(fleet.planted.map((p) => p.node))].sort();
  return { api, kubeconfigPath, fleet, clusterCIDR: cluster.clusterCIDR, nodes, drifting, runs, close: () => api.close() };
}
