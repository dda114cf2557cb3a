// Public surface of the SSH node-dump collector. Nothing here accepts a command string: callers
// select catalogue entries by id (see README.md, "Security model").
export { collectNodeDumps, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './collect-node-dumps.js';
export type { CollectNodeDumpsOptions, NodeDumpProgress, NodeDumpResult } from './collect-node-dumps.js';
export {
  CONNTRACK_MAX_LINES,
  DEFAULT_NODE_COMMAND_IDS,
  NODE_COMMANDS,
  SUDO_PREFIX,
  isNodeCommandId,
  lookupNodeCommand,
  selectNodeCommands,
} from './node-commands.js';
export type { DumpFormat, NodeCommand, NodeCommandId, ParseHints } from './node-commands.js';
export { NodeCollectError, isNodeCollectError } from './node-collect-error.js';
export type { NodeCollectErrorCode, NodeCollectErrorInfo } from './node-collect-error.js';
export type { NodeDumpProblem } from './node-dump-problems.js';
export type { NodeCommandOutput } from './run-node-command.js';
export type { HostKeyPolicy } from './host-key-policy.js';
export type { SshTarget } from './ssh-target.js';
export type { SshConnectEvent } from './ssh-session.js';
