import { z } from 'zod';
import { FINDING_CODES } from '@svcpath/diagnostics';

// The response of GET /api/snapshots/:id/findings. The server parses what it sends through this
// schema, and the web app reads the type inferred from it, so neither can drift from the doctor's
// types unnoticed.

const RuleEvidence = z.object({ kind: z.literal('rule'), chain: z.string(), file: z.string(), line: z.number().int().min(0), raw: z.string() });
const ObjectEvidence = z.object({ kind: z.literal('object'), ref: z.string(), field: z.string(), value: z.string() });
const TraceEvidence = z.object({
  kind: z.literal('trace'),
  packet: z.string(),
  verdict: z.enum(['DNAT', 'ACCEPT', 'REJECT', 'DROP', 'UNKNOWN']),
  probability: z.number().min(0).max(1),
  destination: z.string().nullable(),
  path: z.array(z.object({ table: z.string(), chain: z.string(), rule: z.number().int(), file: z.string(), line: z.number().int(), action: z.string() })),
});
const SysctlEvidence = z.object({ kind: z.literal('sysctl'), name: z.string(), value: z.string() });
const IpvsEvidence = z.object({ kind: z.literal('ipvs'), file: z.string(), line: z.number().int(), raw: z.string() });
const ConntrackEvidence = z.object({ kind: z.literal('conntrack'), file: z.string(), line: z.number().int(), raw: z.string() });

export const FindingEvidence = z.discriminatedUnion('kind', [RuleEvidence, ObjectEvidence, TraceEvidence, SysctlEvidence, IpvsEvidence, ConntrackEvidence]);

export const FindingResponse = z.object({
  code: z.enum(FINDING_CODES),
  severity: z.enum(['critical', 'warning', 'info']),
  title: z.string(),
  explanation: z.string(),
  evidence: z.array(FindingEvidence),
  nextStep: z.string(),
  service: z.string().optional(),
  node: z.string().optional(),
  /** The finding this one follows from (its code and Service), shown under it. */
  cause: z.object({ code: z.enum(FINDING_CODES), service: z.string().optional() }).optional(),
  /** `docs/doctor.md#svc_no_endpoints`: where the code is explained. */
  help: z.string(),
});

export const FindingsResponse = z.object({
  /** Most severe first. */
  findings: z.array(FindingResponse),
  /** The Service (`ns/svc`) the report is about, when one was asked for and found. */
  focus: z.string().nullable(),
  /** What could not be checked with this snapshot, in words. */
  notChecked: z.array(z.string()),
});
export type FindingsResponse = z.infer<typeof FindingsResponse>;
