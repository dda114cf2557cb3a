/**
 * {@link createLab}: builds the three-namespace lab described in topology.ts, starts an agent in
 * each namespace, and exposes the kernel through the {@link Lab} interface.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { AgentProcess } from './agent-process';
import type { ProbeSeries } from './agent-protocol';
import { checkLabSpec, checkProbeRequest, LabSpecError } from './lab-spec-check';
import type { Lab, LabListener, LabSpec, ProbeRequest, ProbeResult } from './lab-types';
import { runCommand, runInNamespace } from './run-command';
import { planTopology, type LabNames, type NamespacePlan, type TopologyPlan } from './topology';

const DEFAULT_TIMEOUT_MS = 400;
const DEFAULT_STAGGER_MS = 5;

/** Namespaces of labs not yet destroyed, deleted when the process exits (a test forgot destroy). */
const live = new Set<string>();
let exitHookInstalled = false;

function deleteNamespacesSync(names: readonly string[]): void {
  if (names.length === 0) return;
  spawnSync('ip', ['-force', '-batch', '-'], {
    input: names.map((n) => `netns del ${n}\n`).join(''),
    stdio: ['pipe', 'ignore', 'ignore'],
  });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => deleteNamespacesSync([...live]));
}

function labNames(name: string | undefined): LabNames {
  if (name !== undefined && !/^[a-z0-9][a-z0-9-]{0,31}$/i.test(name)) {
    throw new LabSpecError(`lab name ${JSON.stringify(name)}: use up to 32 letters, digits and dashes`);
  }
  const base = `svcpath-lab-${name === undefined ? '' : `${name}-`}${randomBytes(4).toString('hex')}`;
  return { client: `${base}-c`, node: `${base}-n`, pods: `${base}-p` };
}

function uniqueListeners(ls: readonly LabListener[]): LabListener[] {
  const seen = new Map(ls.map((l) => [`${l.proto} ${l.ip}:${l.port}`, l]));
  return [...seen.values()];
}

async function configureNamespace(plan: NamespacePlan): Promise<void> {
  await runCommand('ip', ['-n', plan.ns, '-batch', '-'], plan.ip.join('\n') + '\n');
  await runInNamespace(plan.ns, 'sysctl', ['-q', '-w', ...plan.sysctls]);
}

function configureAll(plan: TopologyPlan): Promise<unknown> {
  return Promise.all([
    configureNamespace(plan.client),
    configureNamespace(plan.node),
    configureNamespace(plan.pods),
    runInNamespace(plan.client.ns, 'nft', ['-f', '-'], plan.clientNft),
  ]);
}

type LabAgents = { [K in keyof LabNames]?: AgentProcess };

/** Starts the three agents; reports those that started even when another one failed. */
async function startAgents(names: LabNames): Promise<{ started: LabAgents; error?: unknown }> {
  const [client, node, pods] = await Promise.allSettled(
    [names.client, names.node, names.pods].map((ns) => AgentProcess.start(ns)),
  );
  const value = (r: PromiseSettledResult<AgentProcess> | undefined) =>
    r?.status === 'fulfilled' ? r.value : undefined;
  const failed = [client, node, pods].find((r) => r?.status === 'rejected');
  return {
    started: { client: value(client), node: value(node), pods: value(pods) },
    error: failed?.status === 'rejected' ? failed.reason : undefined,
  };
}

class NamespaceLab implements Lab {
  private agents: LabAgents = {};
  private destroyed: Promise<void> | undefined;

  constructor(
    private readonly spec: LabSpec,
    readonly names: LabNames,
  ) {}

  async start(): Promise<void> {
    const plan = planTopology(this.spec, this.names);
    live.add(this.names.client).add(this.names.node).add(this.names.pods);
    installExitHook();
    await runCommand('ip', ['-batch', '-'], plan.root.join('\n') + '\n');
    // Node's start-up is the slow part, so the agents boot while the namespaces are configured;
    // they only bind after the listen requests below, once the addresses exist.
    const [agents, configError] = await Promise.all([
      startAgents(this.names),
      configureAll(plan).then(
        () => undefined,
        (err: unknown) => err,
      ),
    ]);
    this.agents = agents.started; // before failing on anything, so destroy() stops them
    if (configError !== undefined) throw configError;
    if (agents.error !== undefined) throw agents.error;
    await Promise.all([
      this.agent('pods').request({
        op: 'listen',
        listeners: uniqueListeners(this.spec.endpoints),
        where: 'pod',
      }),
      this.agent('node').request({
        op: 'listen',
        listeners: uniqueListeners(this.spec.nodeListeners ?? []),
        where: 'node',
      }),
    ]);
  }

  private agent(which: keyof LabNames): AgentProcess {
    const a = this.agents[which];
    if (this.destroyed !== undefined || a === undefined) {
      throw new Error(`lab ${this.names.node} is not running`);
    }
    return a;
  }

  /** Runs a tool in N (after checking the lab still exists, for a clear error). */
  private inNode(cmd: string, args: readonly string[], input = '') {
    this.agent('node');
    return runInNamespace(this.names.node, cmd, args, input);
  }

  async restoreIptables(dump: string): Promise<void> {
    await this.inNode('iptables-restore', ['-w', '5'], dump);
  }

  async restoreNft(ruleset: string): Promise<void> {
    await this.inNode('nft', ['-f', '-'], ruleset);
  }

  async saveIptables(): Promise<string> {
    return (await this.inNode('iptables-save', ['-c'])).stdout;
  }

  async clearRecent(): Promise<void> {
    await this.agent('node').request({ op: 'clearRecent' });
  }

  async flushConntrack(): Promise<void> {
    await this.agent('node').request({ op: 'flushConntrack' });
  }

  async probe(req: ProbeRequest): Promise<ProbeResult[]> {
    checkProbeRequest(this.spec, req);
    const prober = this.agent(req.fromNode ? 'node' : 'client');
    const series: ProbeSeries = {
      src: req.src,
      dst: req.dst,
      dport: req.dport,
      proto: req.proto,
      tries: req.tries,
      timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      staggerMs: req.staggerMs ?? DEFAULT_STAGGER_MS,
    };
    if (!req.clearRecentEachTry && !req.flushConntrackEachTry) {
      return (await prober.request({ op: 'probe', series })).results ?? [];
    }
    const results: ProbeResult[] = [];
    for (let i = 0; i < req.tries; i++) {
      if (req.clearRecentEachTry) await this.clearRecent();
      if (req.flushConntrackEachTry) await this.flushConntrack();
      results.push(
        ...((await prober.request({ op: 'probe', series: { ...series, tries: 1 } })).results ?? []),
      );
    }
    return results;
  }

  destroy(): Promise<void> {
    this.destroyed ??= (async () => {
      const agents = Object.values(this.agents);
      await Promise.all(agents.map((a) => a?.stop()));
      const names = [this.names.client, this.names.node, this.names.pods];
      // -force: carry on past namespaces a failed create never made.
      await runCommand('ip', ['-force', '-batch', '-'], names.map((n) => `netns del ${n}\n`).join('')).catch(
        () => undefined,
      );
      names.forEach((n) => live.delete(n));
    })();
    return this.destroyed;
  }
}

/**
 * Builds a lab: namespaces C (clients), N (node) and P (endpoints) wired as in the README, with
 * listeners on every endpoint and node listener. Needs root (see {@link labAvailable}). On failure
 * everything created so far is deleted before the error is rethrown. Call {@link Lab.destroy} when
 * done; namespaces a process leaves behind are deleted when it exits.
 */
export async function createLab(spec: LabSpec, opts: { name?: string } = {}): Promise<Lab> {
  checkLabSpec(spec);
  const lab = new NamespaceLab(spec, labNames(opts.name));
  try {
    await lab.start();
  } catch (err) {
    await lab.destroy();
    throw err;
  }
  return lab;
}
