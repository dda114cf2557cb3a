import { z } from 'zod';
import { parseIP } from '@svcpath/netaddr';

// Request shapes the server alone takes. They belong in @svcpath/api-contract next to FlowInput
// once the web app parses them too.

const ipText = z.string().refine((s) => parseIP(s) !== null, { message: 'expected an IPv4 or IPv6 address' });
const name = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only');

export const ImportSnapshotBody = z.object({
  collection: name.default('imported'),
  node: name,
  takenAt: z.iso.datetime().optional(),
  nodeIPs: z.array(ipText).max(64).default([]),
  files: z
    .array(z.object({ name: z.string().trim().min(1).max(200), text: z.string().min(1) }))
    .min(1)
    .max(16),
});
export type ImportSnapshotBody = z.infer<typeof ImportSnapshotBody>;

/** `POST /api/snapshots` with a text/plain body: the dump itself, the rest in the query. */
export const ImportTextQuery = z.object({
  collection: name.default('imported'),
  node: name.default('pasted'),
  nodeIPs: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []))
    .pipe(z.array(ipText).max(64)),
  name: z.string().trim().min(1).max(200).default('iptables-save.txt'),
});

export const ServicesQuery = z.object({
  q: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const OverviewQuery = z.object({
  namespace: z.string().min(1).max(253).optional(),
  maxNodes: z.coerce.number().int().min(20).max(2000).optional(),
});
