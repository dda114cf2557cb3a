// The shell script the dump Pod's container runs: the selected catalogue commands one after
// another, each framed by delimiter lines that carry its exit code, duration and timeout flag.
//
// Security model (the same as over SSH, see ../node/node-commands.ts): the script is built from
// constants only — the template below and each selected entry's catalogue command, obtained by id
// through `remoteCommandLine`. Nothing from the caller (node, image, namespace, limits) is put into
// it; the two limits reach the script as environment variables of the container, read as numbers.
import { lookupNodeCommand, remoteCommandLine, selectNodeCommands } from '../node/node-commands.js';
import type { NodeCommandId } from '../node/node-commands.js';

/** Environment variables the script reads; the Pod spec sets them. */
export const SCRIPT_ENV = {
  timeoutSeconds: 'SVCPATH_TIMEOUT_SECONDS',
  maxBytes: 'SVCPATH_MAX_BYTES',
} as const;

/** First line of every log: the format version and a per-run nonce that prefixes every delimiter. */
export const LOG_HEADER = 'svcpath-node-dump 1';

// `n` is a fresh random UUID per run, printed first: a dump cannot forge a delimiter line, since it
// cannot know the nonce. Each stream is kept in a file, so stdout and stderr stay apart (the
// container log merges the two), and is printed whole but cut at $M bytes, with its full size in
// the header. `timeout` (coreutils or busybox) bounds each command; an image without it runs the
// commands without a per-command limit and the Pod's own deadline still applies.
// /proc/uptime gives a clock in centiseconds that every shell can read (busybox date has no %N).
const PRELUDE = `exec 2>&1
set -u
n=$(cat /proc/sys/kernel/random/uuid)
d=$(mktemp -d)
T=$((\${${SCRIPT_ENV.timeoutSeconds}:-300} + 0))
M=$((\${${SCRIPT_ENV.maxBytes}:-67108864} + 0))
printf '${LOG_HEADER} %s\\n' "$n"
now() { read -r u _ </proc/uptime; c=\${u#*.}; echo $(( \${u%.*} * 1000 + \${c#0} * 10 )); }
emit() {
  printf '%s %s %s %s\\n' "$n" "$2" "$1" "$(wc -c <"$3" | tr -d ' ')"
  head -c "$M" "$3"
  printf '\\n%s end-%s %s\\n' "$n" "$2" "$1"
}
run() {
  printf '%s begin %s\\n' "$n" "$1"
  a=$(now)
  if command -v timeout >/dev/null 2>&1; then
    timeout "$T" sh -c "$2" >"$d/o" 2>"$d/e" </dev/null; rc=$?
  else
    sh -c "$2" >"$d/o" 2>"$d/e" </dev/null; rc=$?
  fi
  b=$(now)
  t=0; if [ "$rc" -ne 0 ] && [ $((b - a)) -ge $((T * 1000)) ]; then t=1; fi
  emit "$1" stdout "$d/o"
  emit "$1" stderr "$d/e"
  printf '%s end %s exit=%s ms=%s timeout=%s\\n' "$n" "$1" "$rc" "$((b - a))" "$t"
}
`;
const EPILOGUE = `rm -rf "$d"
printf '%s done\\n' "$n"
`;

/** POSIX single-quoting of a catalogue constant, so `sh -c` receives it byte for byte. */
function quoted(constant: string): string {
  return `'${constant.replaceAll("'", `'\\''`)}'`;
}

function runLine(id: NodeCommandId): string {
  return `run ${lookupNodeCommand(id).id} ${quoted(remoteCommandLine(id, false))}`;
}

/**
 * The container script for catalogue entries `ids` (the default set when omitted), in catalogue
 * order. An entry with a text fallback that is not selected itself runs it when it exits non-zero,
 * as the SSH collector does. Takes ids only; unknown ids throw `unknown-command-id`.
 */
export function podDumpScript(ids?: readonly NodeCommandId[]): string {
  const selected = selectNodeCommands(ids);
  const lines = selected.map((command) => {
    const fallback = command.fallback;
    if (fallback === undefined || selected.some((c) => c.id === fallback)) return runLine(command.id);
    return `${runLine(command.id)}\n[ "$rc" -eq 0 ] || ${runLine(fallback)}`;
  });
  return `${PRELUDE}${lines.join('\n')}\n${EPILOGUE}`;
}
