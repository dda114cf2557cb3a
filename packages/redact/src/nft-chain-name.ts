import { base32, sha256 } from '@svcpath/kube-proxy-sim';

const utf8 = new TextEncoder();

/**
 * kube-proxy's nftables `hashAndTruncate` prefix: the first 8 characters of
 * base32(sha256(name)), so `service-ULMVA6XW-ns1/svc1/tcp/p80` names `ns1/svc1/tcp/p80`.
 */
export function nftNameHash(base: string): string {
  return base32(sha256(utf8.encode(base))).slice(0, 8);
}

/**
 * kube-proxy's per-Service nftables chains, maps and sets:
 * `<kind>-<HASH>-<ns>/<svc>/<proto>/<port>[__<endpoint ip>/<endpoint port>]`.
 */
export const NFT_NAME = /\b(service|external|endpoint|firewall|affinity)-[A-Z2-7]{8}-([a-z0-9][-a-z0-9.]*)\/([a-z0-9][-a-z0-9]*)\/([a-z]+)\/([-a-z0-9]*)(?:__([0-9A-Fa-f.:]+)\/(\d+))?/;

/** The same name for the redacted Service port and endpoint, with the hash kube-proxy would compute. */
export function renameNftName(name: string, mapNs: (s: string) => string, mapSvc: (s: string) => string, mapIP: (s: string) => string): string {
  const m = new RegExp(`^${NFT_NAME.source}$`).exec(name);
  if (!m) return name;
  const [, kind, ns = '', svc = '', proto = '', port = '', epIP, epPort] = m;
  const base = `${mapNs(ns)}/${mapSvc(svc)}/${proto}/${port}${epIP === undefined ? '' : `__${mapIP(epIP)}/${epPort}`}`;
  return `${kind}-${nftNameHash(base)}-${base}`;
}
