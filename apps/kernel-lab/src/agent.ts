/**
 * The agent: one long-lived process per lab namespace, started as
 * `ip netns exec <ns> node --import tsx agent.ts`. It reads {@link AgentRequest} lines on stdin
 * and answers {@link AgentReply} lines on stdout; it exits when stdin closes, so an agent never
 * outlives the lab that started it. Running inside the namespace is what lets it open listeners
 * and connections there, and read N's `/proc/net/xt_recent` (procfs follows the reader's netns).
 */
import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AgentReady, AgentReply, AgentRequest } from './agent-protocol';
import { startListeners, type OpenListener } from './listeners';
import { runProbeSeries } from './probe-series';

const RECENT_DIR = '/proc/net/xt_recent';
const open: OpenListener[] = [];

/** Writing "/" to a list clears it (xt_recent's documented interface). */
async function clearRecent(): Promise<void> {
  let lists: string[];
  try {
    lists = await readdir(RECENT_DIR);
  } catch {
    return; // no `recent` rule was ever loaded in this namespace
  }
  await Promise.all(lists.map((l) => writeFile(join(RECENT_DIR, l), '/\n')));
}

function flushConntrack(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('conntrack', ['-F'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`conntrack -F: exit ${code}: ${stderr.trim()}`)),
    );
  });
}

async function handle(req: AgentRequest): Promise<AgentReply> {
  switch (req.op) {
    case 'listen':
      open.push(...(await startListeners(req.listeners, req.where)));
      return { id: req.id, ok: true };
    case 'probe':
      return { id: req.id, ok: true, results: await runProbeSeries(req.series) };
    case 'clearRecent':
      await clearRecent();
      return { id: req.id, ok: true };
    case 'flushConntrack':
      await flushConntrack();
      return { id: req.id, ok: true };
    default: {
      const never: never = req;
      throw new Error(`unknown request ${JSON.stringify(never)}`);
    }
  }
}

function reply(r: AgentReply | AgentReady): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  let req: AgentRequest;
  try {
    req = JSON.parse(line) as AgentRequest;
  } catch {
    process.stderr.write(`agent: not JSON: ${line}\n`);
    return;
  }
  handle(req).then(reply, (err: Error) => reply({ id: req.id, ok: false, error: err.message }));
});
lines.on('close', () => process.exit(0));
reply({ ready: true });
