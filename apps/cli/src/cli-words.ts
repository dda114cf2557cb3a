import type { Finding } from '@svcpath/diagnostics';

/**
 * The doctor's findings name no CLI flag (the web app shows the same words); on the command line
 * the steps that need more input name the flag that gives it. Each entry matches a sentence the
 * doctor writes (cli-words.test.ts keeps them in step).
 */
export const CLI_WORDS: readonly (readonly [from: string, to: string])[] = [
  ['trace from a real Pod to be sure', 'give --from POD|IP to trace a real one'],
  ['then trace the same flow again.', 'then run svcpath doctor again with the same --from/--to.'],
  ['With the cluster state the doctor can say why.', 'Give --cluster-state FILE (or --snapshot ID of a snapshot that holds it) to let the doctor say why.'],
  ['the doctor on that node says what else it missed.', '`svcpath doctor --snapshot ID` on that node says what else it missed.'],
  ['Compare again with the cluster state (the EndpointSlices, collected with the nodes)', 'Compare again with the cluster state (--cluster-state FILE, or --snapshot of a collection that holds it)'],
  ['or run the doctor on each node.', 'or run svcpath doctor on each node.'],
];

function say(text: string): string {
  let out = text;
  for (const [from, to] of CLI_WORDS) out = out.split(from).join(to);
  return out;
}

/** A finding as the command line shows it: the same, with the CLI's flags where input is asked for. */
export function inCliWords<F extends Finding>(f: F): F {
  return { ...f, title: say(f.title), explanation: say(f.explanation), nextStep: say(f.nextStep) };
}
