import type { IpvsProtocol } from './ipvs-types';
import { SPACE } from './plain-ipv4';
import type { ServiceDraft } from './service-draft';

/**
 * The everyday shapes of `ipvsadm -Sn` lines, recognised in place (no substrings, no tokens), so a
 * dump of 100,000 real servers is checked without an object per line. Each shape is one the full
 * reader (ipvsadm-save.ts) accepts with no diagnostic; anything else goes to that reader.
 */

/** A service found by its key whose `-a` lines may be checked in place: `-a -t|-u <token> ...`. */
export interface PlainService {
  readonly draft: ServiceDraft;
  /** `t` or `u`, as a char code. */
  readonly flag: number;
  /** The VIP:port exactly as its `-A` line wrote it. */
  readonly token: string;
}

/** The `-t` / `-u` letter of a protocol, as a char code (0 for others). */
export function flagOf(protocol: IpvsProtocol | null): number {
  return protocol === 'tcp' ? 116 : protocol === 'udp' ? 117 : 0;
}

/** An octet as parseIP takes it and prints it back: 0-255, no leading zeros. */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** A port parseUint takes (≤ 65535; 5 digits only without a leading zero). */
const PORT = '(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d\\d|6[0-4]\\d{3}|[1-5]\\d{4}|\\d{1,4})';
/**
 * After `-a -t <vip:port> -r `: the real server, its forwarding method and an optional weight
 * (≤ 9 digits, so below parseUint's 0x7fffffff), then the line's end (CRLF or LF or the text's end).
 */
const SERVER_REST = new RegExp(`${OCTET}(?:\\.${OCTET}){3}:${PORT} -[mgi](?: -w \\d{1,9})?(?=\\r?\\n|\\r?$)`, 'y');

/**
 * Whether the line is `-a -t|-u <svc token> -r A.B.C.D:PORT -m|-g|-i [-w N]`, single-spaced: a
 * real server of `svc` that the full reader takes without a word to say.
 */
export function isPlainServerLine(text: string, start: number, svc: PlainService): boolean {
  if (!text.startsWith('-a -', start) || text.charCodeAt(start + 4) !== svc.flag || text.charCodeAt(start + 5) !== SPACE) return false;
  const i = start + 6;
  if (!text.startsWith(svc.token, i) || !text.startsWith(' -r ', i + svc.token.length)) return false;
  SERVER_REST.lastIndex = i + svc.token.length + 4;
  return SERVER_REST.test(text);
}

/** An everyday `-A` line's parts: the VIP:port token as written, its address text and port. */
export interface PlainServiceLine {
  readonly protocol: IpvsProtocol;
  readonly token: string;
  readonly host: string;
  readonly port: number;
  readonly scheduler: string;
}

/** `-A -t|-u A.B.C.D:PORT -s <scheduler>` to the line's end. */
const SERVICE = new RegExp(`-A -([tu]) ((${OCTET}(?:\\.${OCTET}){3}):(${PORT})) -s ([a-z0-9_-]+)(?=\\r?\\n|\\r?$)`, 'y');

/** `-A -t|-u A.B.C.D:PORT -s <scheduler>`, single-spaced, as its parts; null for any other line. */
export function plainServiceLine(text: string, start: number): PlainServiceLine | null {
  if (!text.startsWith('-A -', start)) return null;
  SERVICE.lastIndex = start;
  const m = SERVICE.exec(text);
  if (!m) return null;
  const scheduler = m[5]!;
  return { protocol: m[1] === 't' ? 'tcp' : 'udp', token: m[2]!, host: m[3]!, port: Number(m[4]), scheduler: SCHEDULERS.get(scheduler) ?? scheduler };
}

/** The kernel's schedulers (ip_vs_*.c), so each -A line does not keep a string of its own for one. */
const SCHEDULERS = new Map(['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh', 'mh', 'sed', 'nq', 'lblc', 'lblcr', 'fo', 'ovf', 'twos'].map((s) => [s, s]));
