import type { Outcome } from '@svcpath/tracer';
import { formatShare } from './graph-builder';

/**
 * One outcome in plain words, share first: "50% to 10.180.0.4:80, masqueraded",
 * "100% rejected (icmp-port-unreachable)", "100% accepted unchanged, delivered on the node".
 * `{ share: false }` leaves the share out, for a view that prints it in a column of its own.
 */
export function describeOutcome(o: Pick<Outcome, 'probability' | 'verdict' | 'destination' | 'masquerade' | 'delivery' | 'rejectWith'>, options?: { readonly share?: boolean }): string {
  const text = describeWithShare(o);
  return options?.share === false ? text.slice(text.indexOf(' ') + 1) : text;
}

function describeWithShare(o: Pick<Outcome, 'probability' | 'verdict' | 'destination' | 'masquerade' | 'delivery' | 'rejectWith'>): string {
  const share = formatShare(o.probability);
  const masq = o.masquerade ? ', masqueraded' : '';
  const where = o.delivery === 'local' ? ', delivered on the node' : '';
  switch (o.verdict) {
    case 'DNAT':
      return `${share} to ${o.destination ?? '?'}${masq}${where}`;
    case 'ACCEPT':
      return `${share} accepted unchanged${masq}${o.delivery === 'local' ? ', delivered on the node' : ', forwarded'}`;
    case 'REJECT':
      return `${share} rejected (${o.rejectWith ?? 'icmp-port-unreachable'})`;
    case 'DROP':
      return `${share} dropped`;
    case 'UNKNOWN':
      return `${share} unknown: not in the paste`;
    default: {
      const never: never = o.verdict;
      return `${share} ${String(never)}`;
    }
  }
}

/** Why the outcome happened, in a sentence, for the trace panel. */
export function explainOutcome(o: Pick<Outcome, 'verdict' | 'service' | 'masquerade' | 'affinity' | 'delivery'>): string {
  const svc = o.service ? `${o.service}` : 'no Service';
  const parts: string[] = [];
  switch (o.verdict) {
    case 'DNAT':
      parts.push(`kube-proxy's rules for ${svc} chose this endpoint and rewrote the destination.`);
      break;
    case 'ACCEPT':
      parts.push(o.service ? `Rules for ${svc} let the packet through untranslated.` : 'No Service rule matched: the packet passes untranslated.');
      break;
    case 'REJECT':
      parts.push(`${o.service ? svc : 'A rule'} rejects the connection${o.service ? ' — typically because the Service has no ready endpoints' : ''}.`);
      break;
    case 'DROP':
      parts.push(`${o.service ? svc : 'A rule'} drops the packet; the client waits for a timeout.`);
      break;
    case 'UNKNOWN':
      parts.push('The path reaches a chain or target the pasted dump does not show; nothing is assumed past it.');
      break;
  }
  if (o.masquerade) parts.push('The source is masqueraded to the node\'s address, so the endpoint sees the node, not the client.');
  if (o.affinity) parts.push(`ClientIP affinity: this client is remembered for ${o.affinity.seconds ?? 0}s and later connections return to the same endpoint.`);
  return parts.join(' ');
}
