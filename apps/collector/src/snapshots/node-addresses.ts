/**
 * The node's own addresses, which decide `-m addrtype --dst-type LOCAL` (NodePorts) and whether a
 * trace starts on the node: the Node object's InternalIP / ExternalIP first (what kube-proxy takes
 * as its node IPs), then every other address the node's interfaces hold (`ip -j addr`, or `ip
 * addr` text), as the kernel's LOCAL type covers them all. Loopback is left out: the tracer always
 * counts it as local.
 */
import { parseIP } from '@svcpath/netaddr';
import { z } from 'zod';

/** Just the part of a Node object this reads. */
export interface NodeAddressSource {
  readonly status?: { readonly addresses?: readonly { readonly type: string; readonly address: string }[] };
}

const ipAddrJson = z.array(
  z.looseObject({
    addr_info: z
      .array(z.looseObject({ family: z.string().optional(), local: z.string().optional(), scope: z.string().optional() }))
      .optional(),
  }),
);

function usable(address: string, scope: string | undefined): boolean {
  if (scope === 'host' || parseIP(address) === null) return false;
  return !/^fe[89ab]/i.test(address); // IPv6 link-local: needs a zone, never a Service address
}

/** Addresses in `ip -j addr` output; [] when the text is not that JSON. */
export function addressesFromIpAddrJson(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const parsed = ipAddrJson.safeParse(value);
  if (!parsed.success) return [];
  return parsed.data.flatMap((link) =>
    (link.addr_info ?? []).flatMap((a) => (a.local !== undefined && usable(a.local, a.scope) ? [a.local] : [])),
  );
}

/** Addresses in `ip addr` text output. */
export function addressesFromIpAddrText(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s+inet6? ([0-9a-fA-F.:]+)\/\d+.*?\bscope (\w+)/gm))
    if (m[1] !== undefined && usable(m[1], m[2])) out.push(m[1]);
  return out;
}

/** Node object addresses (InternalIP, then ExternalIP), then interface addresses; no duplicates. */
export function nodeIPsFrom(node: NodeAddressSource | undefined, interfaceAddresses: readonly string[]): string[] {
  const fromObject = (type: string) =>
    (node?.status?.addresses ?? []).filter((a) => a.type === type && parseIP(a.address) !== null).map((a) => a.address);
  return [...new Set([...fromObject('InternalIP'), ...fromObject('ExternalIP'), ...interfaceAddresses])];
}
