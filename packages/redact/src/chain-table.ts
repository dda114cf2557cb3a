import { endpointChainName, portProtoHash } from '@svcpath/kube-proxy-sim';
import { IPT_CHAIN } from './patterns';
import type { Rewriter } from './rewriter';

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
const IPT_CHAIN_G = new RegExp(IPT_CHAIN.source, 'g');
const SEP_RULE = /^(?:\[\d+:\d+\] )?-A (KUBE-SEP-[A-Z2-7]{16}) (.*)$/gm;

/** What one KUBE-SEP chain's rules say: its ServicePortName, protocol and DNAT destination. */
function endpointChains(texts: readonly string[]): Map<string, { spn?: string; proto?: string; endpoint?: string }> {
  const out = new Map<string, { spn?: string; proto?: string; endpoint?: string }>();
  for (const text of texts)
    for (const m of text.matchAll(SEP_RULE)) {
      const e = out.get(m[1]!) ?? {};
      const body = m[2]!;
      e.spn ??= /--comment "?([^"\s]+)/.exec(body)?.[1];
      e.proto ??= /(?:^| )-p (tcp|udp|sctp)\b/.exec(body)?.[1];
      e.endpoint ??= /--to-destination (\S+)/.exec(body)?.[1];
      out.set(m[1]!, e);
    }
  return out;
}

/**
 * New names for kube-proxy's iptables chains: KUBE-SVC/SVL/EXT/FW/XLB-<hash of ServicePortName +
 * protocol> and KUBE-SEP-<hash of ServicePortName + protocol + endpoint>, recomputed from the
 * redacted names and addresses the way kube-proxy computes them. A chain whose hash matches no
 * known ServicePortName (an older kube-proxy's scheme) gets a seeded pseudonym instead.
 */
export function chainTable(texts: readonly string[], servicePortNames: Iterable<string>, rw: Rewriter, fallback: (chain: string) => string): Record<string, string> {
  const byHash = new Map<string, { spn: string; proto: string }>();
  for (const spn of servicePortNames) for (const proto of PROTOCOLS) byHash.set(portProtoHash(spn, proto), { spn, proto });
  const seps = endpointChains(texts);
  const out: Record<string, string> = {};
  for (const text of texts)
    for (const [chain] of text.matchAll(IPT_CHAIN_G)) {
      if (out[chain]) continue;
      const [, kind = '', hash = ''] = /^KUBE-([A-Z]+)-(.+)$/.exec(chain)!;
      if (kind === 'SEP') {
        const e = seps.get(chain);
        const ok = e?.spn && e.proto && e.endpoint && endpointChainName(e.spn, e.proto, e.endpoint) === chain;
        out[chain] = ok ? endpointChainName(rw.servicePortName(e.spn!), e.proto!, rw.endpoint(e.endpoint!)) : fallback(chain);
      } else {
        const hit = byHash.get(hash);
        out[chain] = hit ? `KUBE-${kind}-${portProtoHash(rw.servicePortName(hit.spn), hit.proto)}` : fallback(chain);
      }
    }
  return out;
}
