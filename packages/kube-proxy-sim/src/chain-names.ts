import { base32 } from './base32';
import { sha256 } from './sha256';

const utf8 = new TextEncoder();

/** UTF-8 bytes of `text`, skipping TextEncoder for the ASCII names Kubernetes allows. */
function bytesOf(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return utf8.encode(text);
    out[i] = c;
  }
  return out;
}

/**
 * kube-proxy's 16-character chain-name hash: the first 16 characters of
 * base32(sha256(servicePortName + protocol [+ endpoint])), protocol in lower case. Chain names
 * must fit iptables' 28-character limit.
 */
export function portProtoHash(servicePortName: string, protocol: string, endpoint = ''): string {
  return base32(sha256(bytesOf(servicePortName + protocol + endpoint))).slice(0, 16);
}

/** The per-ServicePort chains kube-proxy's iptables proxier uses. */
export interface ServicePortChains {
  /** KUBE-SVC-*: endpoints for Cluster traffic policy. */
  readonly cluster: string;
  /** KUBE-SVL-*: endpoints for Local traffic policy. */
  readonly local: string;
  /** KUBE-EXT-*: entry for external destinations (NodePort, external IP, load-balancer IP). */
  readonly external: string;
  /** KUBE-FW-*: loadBalancerSourceRanges filter. */
  readonly firewall: string;
}

export function servicePortChains(servicePortName: string, protocol: string): ServicePortChains {
  const hash = portProtoHash(servicePortName, protocol.toLowerCase());
  return {
    cluster: `KUBE-SVC-${hash}`,
    local: `KUBE-SVL-${hash}`,
    external: `KUBE-EXT-${hash}`,
    firewall: `KUBE-FW-${hash}`,
  };
}

/** KUBE-SEP-*: one endpoint of one ServicePort; `endpoint` is "ip:port". */
export function endpointChainName(servicePortName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${portProtoHash(servicePortName, protocol.toLowerCase(), endpoint)}`;
}
