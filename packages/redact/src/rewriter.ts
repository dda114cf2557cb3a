import { portProtoHash } from '@svcpath/kube-proxy-sim';
import { createAddressMap } from './address-map';
import { NAME_KINDS, type NameKind, type RedactionMapping } from './mapping';
import { NFT_NAME, renameNftName } from './nft-chain-name';
import { anchored, COMMENT_SPAN, either, IPT_CHAIN, IPV4, IPV6, SPN, WORD } from './patterns';

/** Rewrites text with one mapping; every piece of text goes through one of these functions. */
export interface Rewriter {
  /** Metadata, cluster state values, picture labels: names, addresses and chain names anywhere. */
  freeText(text: string): string;
  /** A dump: addresses and chain names anywhere, names only in comments (see COMMENT_SPAN). */
  dumpText(text: string): string;
  /** `ns/svc:port` → `ns-1/svc-2:port`. */
  servicePortName(spn: string): string;
  name(kind: NameKind, name: string): string;
  /** An address or CIDR text; null if it is not one. */
  address(text: string): string | null;
  /** `10.0.0.5:80` or `[fd00::5]:80`. */
  endpoint(ipPort: string): string;
}

const is = {
  nft: anchored(NFT_NAME),
  ipt: anchored(IPT_CHAIN),
  v4: anchored(IPV4),
  v6: anchored(IPV6),
  spn: anchored(SPN),
};
const FREE = either([NFT_NAME, IPT_CHAIN, IPV4, IPV6, SPN, WORD]);
const SYNTAX = either([NFT_NAME, IPT_CHAIN, IPV4, IPV6]);

/** The pseudonym for an iptables chain the redaction did not see (seeded, so still consistent). */
export function fallbackChainName(seed: string, chain: string): string {
  return `${chain.slice(0, chain.lastIndexOf('-'))}-${portProtoHash(`svcpath-redact ${seed}`, '', chain)}`;
}

/** `onAddress` hears every address rewritten, for the mapping's record. */
export function createRewriter(mapping: RedactionMapping, onAddress?: (from: string, to: string) => void): Rewriter {
  const addresses = createAddressMap(mapping.seed, mapping.keepCidrs, mapping.publicPlan ?? null);
  const lookup = (kind: NameKind, s: string): string | undefined => mapping.names[kind][s];
  const name = (kind: NameKind, s: string) => lookup(kind, s) ?? s;
  const address = (text: string): string | null => {
    const out = addresses.mapText(text);
    if (out !== null && onAddress) onAddress(text, out);
    return out;
  };
  const word = (w: string): string => {
    for (const kind of NAME_KINDS) {
      const hit = lookup(kind, w);
      if (hit !== undefined) return hit;
    }
    return w.includes('.') ? w.split('.').map(word).join('.') : w;
  };
  const servicePortName = (spn: string): string => {
    const [nsSvc = '', port] = spn.split(':');
    const [ns = '', svc = ''] = nsSvc.split('/');
    return `${lookup('namespace', ns) ?? word(ns)}/${lookup('service', svc) ?? word(svc)}${port === undefined ? '' : `:${port}`}`;
  };
  const ipOnly = (s: string) => address(s) ?? s;
  const chain = (c: string) => mapping.chains[c] ?? fallbackChainName(mapping.seed, c);
  const nft = (n: string) => renameNftName(n, (ns) => name('namespace', ns), (svc) => name('service', svc), ipOnly);
  const token = (m: string, free: boolean): string => {
    if (is.nft.test(m)) return nft(m);
    if (is.ipt.test(m)) return chain(m);
    if (is.v4.test(m) || is.v6.test(m)) return address(m) ?? (free ? word(m) : m);
    if (!free) return m;
    if (is.spn.test(m)) return servicePortName(m);
    return word(m);
  };
  // Names that are not one word (kubeconfig contexts like `arn:aws:eks:…:cluster/prod`, API hosts).
  const literals = NAME_KINDS.flatMap((k) => Object.entries(mapping.names[k]))
    .filter(([from]) => !anchored(WORD).test(from))
    .sort((a, b) => b[0].length - a[0].length);
  const literalRe = literals.length ? new RegExp(literals.map(([from]) => from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : null;
  const literalTo = new Map(literals);
  const freeText = (text: string): string => {
    const pre = literalRe ? text.replace(literalRe, (m) => literalTo.get(m) ?? m) : text;
    return pre.replace(FREE, (m) => token(m, true));
  };
  const syntax = (text: string) => text.replace(SYNTAX, (m) => token(m, false));
  const dumpText = (text: string): string => {
    let out = '';
    let last = 0;
    for (const m of text.matchAll(COMMENT_SPAN)) {
      out += syntax(text.slice(last, m.index)) + freeText(m[0]);
      last = m.index + m[0].length;
    }
    return out + syntax(text.slice(last));
  };
  const endpoint = (ipPort: string): string => {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(ipPort);
    if (!m) return ipPort;
    const ip = ipOnly(m[1]!);
    return ipPort.startsWith('[') ? `[${ip}]:${m[2]}` : `${ip}:${m[2]}`;
  };
  return { freeText, dumpText, servicePortName, name, address, endpoint };
}
