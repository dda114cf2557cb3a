import { z } from 'zod';
import { parseIP } from '@svcpath/netaddr';

const ipText = z.string().refine((s) => parseIP(s) !== null, { message: 'expected an IPv4 or IPv6 address' });

const name = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only');

/**
 * `POST /api/imports`: announce a dump before streaming it (`PUT /api/imports/:id/body`), so the
 * upload can be followed (`GET /api/imports/:id`) and cancelled (`DELETE /api/imports/:id`).
 */
export const ImportRequest = z
  .object({
    node: name.default('pasted'),
    collection: name.default('imported'),
    nodeIPs: z.array(ipText).max(64).default([]),
    /** The dump's file name: iptables-save.txt, nft.txt, ipvsadm.txt … */
    name: z.string().trim().min(1).max(200).default('iptables-save.txt'),
    /** Its size in bytes, for progress; 0 when unknown. */
    bytes: z.number().int().min(0).default(0),
  })
  .strict();
export type ImportRequest = z.infer<typeof ImportRequest>;

/**
 * Where an import is: waiting for its body, receiving it, parsing it (in the engine worker),
 * storing it, or ended (done, failed, cancelled).
 */
export const ImportPhase = z.enum(['waiting', 'receiving', 'parsing', 'storing', 'done', 'failed', 'cancelled']);
export type ImportPhase = z.infer<typeof ImportPhase>;

/** `GET /api/imports/:id`. */
export const ImportStatus = z.object({
  id: z.string(),
  node: z.string(),
  name: z.string(),
  phase: ImportPhase,
  /** Bytes the server has received, and the size announced (0: unknown). */
  received: z.number(),
  total: z.number(),
  startedAt: z.string(),
  /** Milliseconds spent in each phase so far. */
  phaseMs: z.record(z.string(), z.number()),
  snapshotId: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ImportStatus = z.infer<typeof ImportStatus>;

/** An import that has ended: no more progress will come. */
export const importEnded = (phase: ImportPhase): boolean => phase === 'done' || phase === 'failed' || phase === 'cancelled';
