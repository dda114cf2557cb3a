import { z } from 'zod';
import { parseIP } from '@svcpath/netaddr';

const ipText = z.string().refine((s) => parseIP(s) !== null, { message: 'expected an IPv4 or IPv6 address' });
const port = z.number().int().min(1).max(65535);
const endpoint = z
  .string()
  .refine((s) => /^(\[[^\]]+\]|[^:]+):\d{1,5}$/.test(s) && parseIP(s.replace(/^\[|\](?=:)|:\d+$/g, '')) !== null, {
    message: 'expected IP:PORT (IPv6 as [addr]:port)',
  });

/** One packet to trace, as the CLI's --flows file and the HTTP API take it. */
export const FlowInput = z.object({
  src: ipText,
  dst: ipText,
  dport: port,
  proto: z.enum(['tcp', 'udp', 'sctp']).default('tcp'),
  sport: port.optional(),
  inIface: z.string().min(1).max(15).optional(),
  /** A client that reached this endpoint within the affinity timeout. */
  returningTo: endpoint.optional(),
});
export type FlowInput = z.infer<typeof FlowInput>;

export const FlowList = z.array(FlowInput);

/** Human-readable lines for a zod error: `[2].dport: expected a number`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') + ': ' : ''}${i.message}`);
}
