import { COMMA, ipv4End, portEnd } from './plain-ipv4';

/**
 * The everyday `ipset save` member line, recognised in place: `add <set> A.B.C.D,tcp:PORT`
 * (kube-proxy's KUBE-CLUSTER-IP and friends, hash:ip,port), single-spaced, no extensions. Each is
 * a line the full reader (parse-ipset.ts) takes with no diagnostic, and its element text is
 * canonical: the address and port print back as written, the protocol is lower case.
 */

/** Whether the line from `start` to `end` is `<prefix>A.B.C.D,<tcp|udp|sctp>:PORT`, `prefix` being `add <set> `. */
export function isPlainIpPortMember(text: string, start: number, end: number, prefix: string): boolean {
  if (!text.startsWith(prefix, start)) return false;
  const ip = ipv4End(text, start + prefix.length, end);
  if (ip < 0 || text.charCodeAt(ip) !== COMMA) return false;
  const p = ip + 1;
  const colon = text.startsWith('tcp:', p) || text.startsWith('udp:', p) ? p + 3 : text.startsWith('sctp:', p) ? p + 4 : -1;
  return colon > 0 && portEnd(text, colon + 1, end) === end;
}
