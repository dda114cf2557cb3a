/**
 * Lab side of an agent: starts `agent.ts` inside a namespace and turns the JSON-lines protocol into
 * promises. One process per namespace for the lab's lifetime — never one per connection.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AgentReply, AgentRequest } from './agent-protocol';

const AGENT_PATH = fileURLToPath(new URL('./agent.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000; // a busy 2-core CI machine has taken over 20 s to boot a Node agent
const STOP_GRACE_MS = 2_000;

/** Distributes `Omit` over a union, so each request keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Pending = { resolve: (r: AgentReply & { ok: true }) => void; reject: (e: Error) => void };

/** A running agent in one network namespace. */
export class AgentProcess {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderr = '';
  private exited: Promise<void>;

  private constructor(
    readonly ns: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    // Writing to an agent that just died raises EPIPE here; its pending requests fail on 'close'.
    child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    void this.exited.then(() =>
      this.failAll(new Error(`agent in ${ns} exited: ${this.stderr.trim() || '(no stderr)'}`)),
    );
  }

  /** Starts the agent in `ns` and waits until it reads requests. */
  static start(ns: string): Promise<AgentProcess> {
    // `ip netns exec` execs node in place, so the child's pid is the agent's. tsx is resolved from
    // the cwd, i.e. the workspace's node_modules.
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', AGENT_PATH], {
      cwd: dirname(AGENT_PATH),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const agent = new AgentProcess(ns, child);
    return new Promise((resolve, rejectStart) => {
      // An agent that failed to start must not linger (it would keep its namespace alive).
      const reject = (err: Error): void => {
        child.kill('SIGKILL');
        rejectStart(err);
      };
      const timer = setTimeout(() => {
        reject(new Error(`agent in ${ns} not ready after ${START_TIMEOUT_MS} ms: ${agent.stderr.trim()}`));
      }, START_TIMEOUT_MS);
      const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
      lines.once('line', (first) => {
        clearTimeout(timer);
        lines.on('line', (line) => agent.onLine(line));
        if (first.includes('"ready"')) resolve(agent);
        else reject(new Error(`agent in ${ns} said ${first} instead of ready`));
      });
      child.once('error', (err) => reject(new Error(`agent in ${ns}: ${err.message}`)));
      void agent.exited.then(() => {
        clearTimeout(timer);
        reject(
          new Error(`agent in ${ns} exited before it was ready: ${agent.stderr.trim() || '(no stderr)'}`),
        );
      });
    });
  }

  /** Sends one request; resolves with its successful reply, rejects with the agent's error. */
  request(req: WithoutId<AgentRequest>): Promise<AgentReply & { ok: true }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        reject(new Error(`agent in ${this.ns} is not running`));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  }

  /** Closes stdin (the agent exits on its own), then kills it if it lingers. Never throws. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private onLine(line: string): void {
    let reply: AgentReply;
    try {
      reply = JSON.parse(line) as AgentReply;
    } catch {
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply);
    else p.reject(new Error(`agent in ${this.ns}: ${reply.error}`));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
