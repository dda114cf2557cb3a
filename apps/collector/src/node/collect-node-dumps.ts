// collectNodeDumps: connect to one node over SSH, run the selected catalogue commands one after
// another, and return every dump with the problems met on the way. Only failing to connect at all
// (host key, authentication, network) throws; everything after that is data.
import { z } from 'zod';
import { NodeCollectError } from './node-collect-error.js';
import { lookupNodeCommand, selectNodeCommands } from './node-commands.js';
import type { NodeCommand, NodeCommandId } from './node-commands.js';
import { isPartial, problemsOf } from './node-dump-problems.js';
import type { NodeDumpProblem } from './node-dump-problems.js';
import { runNodeCommand } from './run-node-command.js';
import type { CommandLimits, NodeCommandOutput } from './run-node-command.js';
import { openSshSession } from './ssh-session.js';
import type { SshConnectEvent } from './ssh-session.js';
import type { HostKeyPolicy } from './host-key-policy.js';
import type { SshTarget } from './ssh-target.js';

/** Generous: a big node's conntrack or iptables dump takes a while and runs to tens of MB. */
export const DEFAULT_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export type NodeDumpProgress =
  | SshConnectEvent
  | {
      readonly kind: 'command-started';
      readonly commandId: NodeCommandId;
      readonly index: number;
      readonly total: number;
    }
  | {
      readonly kind: 'command-finished';
      readonly commandId: NodeCommandId;
      readonly exitCode: number | null;
      readonly durationMs: number;
      readonly bytes: number;
    };

export interface CollectNodeDumpsOptions {
  readonly target: SshTarget;
  /** Catalogue ids to run (default: every entry with `defaultSelected`). Ids only — never command text. */
  readonly commands?: readonly NodeCommandId[];
  /** Ids to leave out of the selection, e.g. `['conntrack']` to opt out of the conntrack table. */
  readonly exclude?: readonly NodeCommandId[];
  /** Prefix root-needing commands with the constant `sudo -n `. */
  readonly sudo?: boolean;
  /** Per-command time limit. Default 5 minutes. */
  readonly timeoutMs?: number;
  /** Per-command, per-stream output limit. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Per-command overrides of the two limits above. */
  readonly limits?: Partial<Record<NodeCommandId, Partial<CommandLimits>>>;
  readonly hostKeyPolicy: HostKeyPolicy;
  readonly onProgress?: (event: NodeDumpProgress) => void;
}

export interface NodeDumpResult {
  /** The node as connected to, and the jump hosts on the way (`user@host:port`). */
  readonly node: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly via: readonly string[];
  };
  readonly files: Partial<Record<NodeCommandId, NodeCommandOutput>>;
  readonly problems: readonly NodeDumpProblem[];
  /** True when some dump is missing or incomplete (timeouts, truncation, failures) — not for missing tools. */
  readonly partial: boolean;
}

const fingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a fingerprint looks like SHA256:<43 base64 characters>');
const positiveInt = z.number().int().positive();
const limitsSchema = z
  .object({ timeoutMs: positiveInt.optional(), maxBytes: positiveInt.optional() })
  .strict();
// Validates what may come from a CLI flag or an HTTP body; functions (onProgress) pass unchecked.
const optionsSchema = z.looseObject({
  target: z.looseObject({
    host: z
      .string()
      .min(1)
      .refine((h) => !/[\s@]/.test(h), 'host must be a bare host name, address or alias'),
    port: z.number().int().min(1).max(65535).optional(),
    user: z.string().min(1).optional(),
    privateKeyPath: z.string().min(1).optional(),
    passphrase: z.string().optional(),
    agent: z.union([z.string(), z.literal(false)]).optional(),
    proxyJump: z.string().min(1).optional(),
    sshConfigPath: z.string().min(1).nullable().optional(),
    connectTimeoutMs: positiveInt.optional(),
  }),
  commands: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  sudo: z.boolean().optional(),
  timeoutMs: positiveInt.optional(),
  maxBytes: positiveInt.optional(),
  limits: z.record(z.string(), limitsSchema).optional(),
  hostKeyPolicy: z.object({
    knownHostsPath: z.string().min(1).optional(),
    acceptFingerprint: z.union([fingerprint, z.array(fingerprint)]).optional(),
    hashKnownHosts: z.boolean().optional(),
  }),
});

/** Validates options and resolves the command selection, before any connection is made. */
function prepare(options: CollectNodeDumpsOptions): NodeCommand[] {
  // Ids first, so a command string smuggled in as an id gets the specific error.
  const selected = selectNodeCommands(options.commands, options.exclude);
  for (const id of Object.keys(options.limits ?? {})) lookupNodeCommand(id);
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new NodeCollectError({
      code: 'invalid-options',
      message: `Invalid node collection options: ${issues.join('; ')}`,
      issues,
    });
  }
  return selected;
}

function limitsFor(id: NodeCommandId, options: CollectNodeDumpsOptions): CommandLimits {
  const own = options.limits?.[id];
  return {
    timeoutMs: own?.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: own?.maxBytes ?? options.maxBytes ?? DEFAULT_MAX_BYTES,
  };
}

/**
 * Collects the selected dumps from one node over SSH.
 *
 * Throws `NodeCollectError` only when nothing can be collected: invalid options or unknown command
 * ids (before connecting), unknown/changed/revoked host key, authentication or connection failure.
 */
export async function collectNodeDumps(options: CollectNodeDumpsOptions): Promise<NodeDumpResult> {
  const selected = prepare(options);
  const session = await openSshSession(options.target, options.hostKeyPolicy, options.onProgress);
  const files: Partial<Record<NodeCommandId, NodeCommandOutput>> = {};
  const problems: NodeDumpProblem[] = [];
  let connectionLost = false;
  session.client.once('close', () => {
    connectionLost = true;
  });
  const run = async (id: NodeCommandId, index: number): Promise<boolean> => {
    if (connectionLost) {
      problems.push({
        kind: 'skipped',
        commandId: id,
        message: `${id}: not run, the SSH connection was closed`,
      });
      return false;
    }
    options.onProgress?.({ kind: 'command-started', commandId: id, index, total: selected.length });
    const limits = limitsFor(id, options);
    const out = await runNodeCommand(session.client, id, options.sudo === true, limits);
    files[id] = out;
    options.onProgress?.({
      kind: 'command-finished',
      commandId: id,
      exitCode: out.exitCode,
      durationMs: out.durationMs,
      bytes: Buffer.byteLength(out.stdout),
    });
    const own = problemsOf(id, out, limits);
    problems.push(...own);
    return own.length === 0;
  };
  try {
    for (const [index, command] of selected.entries()) {
      const ok = await run(command.id, index);
      const fallback = command.fallback;
      if (
        ok ||
        connectionLost ||
        fallback === undefined ||
        files[fallback] !== undefined ||
        selected.some((c) => c.id === fallback)
      )
        continue;
      if (await run(fallback, index)) {
        // The fallback covered it: the primary's failure no longer makes the dump partial.
        const others = problems.filter((p) => p.commandId !== command.id);
        problems.splice(0, problems.length, ...others);
        problems.push({
          kind: 'fallback-used',
          commandId: command.id,
          fallbackId: fallback,
          message: `${command.id} failed; used ${fallback} instead`,
        });
      }
    }
  } finally {
    session.close();
  }
  const node = session.hops[session.hops.length - 1];
  const via = session.hops.slice(0, -1).map((h) => `${h.user}@${h.hostName}:${h.port}`);
  return {
    node: {
      host: node?.hostName ?? options.target.host,
      port: node?.port ?? 22,
      user: node?.user ?? '',
      via,
    },
    files,
    problems,
    partial: isPartial(problems),
  };
}
