import type { ServicePortName } from '@svcpath/k8s-model';
import { base32 } from './base32';
import { sha256 } from './sha256';

const utf8 = new TextEncoder();
/** nftables' name length limit (NFT_NAME_MAXLEN - 1) less kube-proxy's longest prefix. */
const BASE_MAX = 256 - 16;

/**
 * kube-proxy's nftables hashAndTruncate: the first 8 characters of base32(sha256(name)), a dash,
 * the name itself (readable, unlike the iptables hashes), cut with "..." past the length limit.
 */
export function nftHashAndTruncate(name: string): string {
  const out = `${base32(sha256(utf8.encode(name))).slice(0, 8)}-${name}`;
  return out.length > BASE_MAX ? `${out.slice(0, BASE_MAX - 3)}...` : out;
}

/** `HASH-ns/svc/tcp/port`: the base of a Service port's nftables chain names. */
export function nftServicePortBase(spn: Pick<ServicePortName, 'namespace' | 'name' | 'port'>, protocol: string): string {
  return nftHashAndTruncate(`${spn.namespace}/${spn.name}/${protocol.toLowerCase()}/${spn.port}`);
}

/** `HASH-ns/svc/tcp/port__ip/port`: the base of an endpoint's chain and affinity set (IPv6 colons become dots). */
export function nftEndpointBase(spn: Pick<ServicePortName, 'namespace' | 'name' | 'port'>, protocol: string, ip: string, port: number): string {
  return nftHashAndTruncate(`${spn.namespace}/${spn.name}/${protocol.toLowerCase()}/${spn.port}__${ip.replace(/:/g, '.')}/${port}`);
}

/** The per-Service-port chains of kube-proxy's nftables proxier. */
export interface NftServicePortChains {
  readonly cluster: string;
  readonly local: string;
  readonly external: string;
  readonly firewall: string;
}

export function nftServicePortChains(spn: Pick<ServicePortName, 'namespace' | 'name' | 'port'>, protocol: string): NftServicePortChains {
  const base = nftServicePortBase(spn, protocol);
  return { cluster: `service-${base}`, local: `local-${base}`, external: `external-${base}`, firewall: `firewall-${base}` };
}
