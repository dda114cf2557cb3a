/**
 * What a dump file holds. Rule dumps are recognised by @svcpath/ruleset's `detectFormat` (their
 * text is decisive); the other dumps by their first lines, and a file whose text says nothing
 * (empty, or cut off) by its name, e.g. `ipvsadm.txt` from a node without IPVS.
 */
import type { DumpKind } from '@svcpath/api-contract';
import { detectFormat } from '@svcpath/ruleset';
import type { NodeCommandId } from '../node/index.js';
import { lookupNodeCommand } from '../node/index.js';

const BY_CONTENT: readonly (readonly [RegExp, DumpKind])[] = [
  [/^\s*\[\s*\{[\s\S]*"addr_info"/, 'ip-addr-json'],
  [/^\s*\[\s*(\]|\{[\s\S]*"(dst|gateway)")/, 'ip-route'],
  [/^\d+: [^:\s]+(@\S+)?: <[A-Z0-9_,-]*>/m, 'ip-addr-text'],
  [/^(default|local|broadcast|unreachable|blackhole|(\d{1,3}\.){3}\d{1,3}(\/\d+)?)\s.*\bdev\s/m, 'ip-route'],
  [/^net\.[\w.-]+ = /m, 'sysctls'],
  [/^(ipv4|ipv6)\s+\d+\s+(tcp|udp|sctp|icmp)/m, 'conntrack'],
  [/^(iptables|ip6tables|nftables|ipvsadm) v\d/, 'version'],
  [/^\s*\d+\.\d+\.\d+[\w.+-]*\s*$/, 'version'],
];

const BY_NAME: readonly (readonly [RegExp, DumpKind])[] = [
  [/ip6?tables/, 'iptables'],
  [/nft.*\.json$/, 'nft-json'],
  [/nft/, 'nft-text'],
  [/ipvs/, 'ipvsadm'],
  [/ipset/, 'ipset'],
  [/addr/, 'ip-addr-text'],
  [/route/, 'ip-route'],
  [/sysctl/, 'sysctls'],
  [/conntrack/, 'conntrack'],
  [/version|uname|kernel/, 'version'],
];

function fromRuleFormat(format: ReturnType<typeof detectFormat>): DumpKind | undefined {
  switch (format) {
    case 'iptables':
    case 'nft-text':
    case 'nft-json':
    case 'ipvsadm':
    case 'ipset':
      return format;
    default:
      return undefined;
  }
}

/** The kind of a file the user handed in, by its text first and its name second. */
export function detectDumpKind(name: string, text: string): DumpKind {
  for (const [pattern, kind] of BY_CONTENT) if (pattern.test(text.slice(0, 64 * 1024))) return kind;
  const rules = fromRuleFormat(detectFormat(text));
  if (rules) return rules;
  const lower = name.toLowerCase();
  for (const [pattern, kind] of BY_NAME) {
    if (!pattern.test(lower)) continue;
    return kind === 'ip-addr-text' && text.trimStart().startsWith('[') ? 'ip-addr-json' : kind;
  }
  return 'unknown';
}

/** The kind a catalogue command's output has, from the catalogue's parse hints. */
export function dumpKindOfCommand(id: NodeCommandId): DumpKind {
  const format = lookupNodeCommand(id).parse.format;
  switch (format) {
    case 'iptables-save':
      return 'iptables';
    case 'nft-ruleset':
      return 'nft-text';
    case 'ipvsadm-save':
    case 'ipvsadm-list-stats':
      return 'ipvsadm';
    case 'ipset-save':
      return 'ipset';
    case 'ip-addr-json':
    case 'ip-addr-text':
      return format;
    case 'ip-route-json':
    case 'ip-route-text':
      return 'ip-route';
    case 'sysctl-lines':
      return 'sysctls';
    case 'conntrack-extended':
      return 'conntrack';
    case 'version-text':
      return 'version';
    default: {
      const never: never = format;
      return never;
    }
  }
}
