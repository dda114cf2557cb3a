import type { Family } from './ast';
import type { TableDraft } from './ruleset-builder';
import type { TextContext } from './text-context';
import type { Span } from './ast';

/**
 * Chains, sets and maps pasted without their `table … {` line (a chain or two copied out of
 * `nft list ruleset`). They are read into one table named after what they look like: kube-proxy's
 * chain and map names put them in `ip kube-proxy` (so its vmaps and endpoint chains resolve), and
 * anything else in a table of its own. Each such table is reported once.
 */
const KUBE_PROXY_NAMES =
  /^(services|masquerading|mark-for-masquerade|firewall-check|cluster-ips-check|reject-chain|nodeport-endpoints-check|service-endpoints-check|nat-(prerouting|output|postrouting)|filter-(prerouting|input|forward|output)(-pre-dnat|-post-dnat)?|(service|external|endpoint|firewall|local)-[A-Z0-9]{8}-.*|service-ips|service-nodeports|cluster-ips|nodeport-ips|no-endpoint-(services|nodeports)|firewall-ips|affinity-.*)$/;

/** The table a block pasted without one belongs to. */
export function tablelessTable(ctx: TextContext, name: string, span: Span): TableDraft {
  const kube = KUBE_PROXY_NAMES.test(name);
  const family: Family = 'ip';
  const table = kube ? 'kube-proxy' : 'pasted-without-table';
  const existing = ctx.builder.findTable(family, table);
  if (existing) return existing;
  ctx.sink.add(
    'NFT_TABLE_ASSUMED',
    kube
      ? `'${name}' was pasted without its table line: read as part of table ip kube-proxy (kube-proxy's names); paste \`nft list table ip kube-proxy\` for the whole table`
      : `'${name}' was pasted without its table line: read as part of a table of its own (family ip assumed)`,
    span,
  );
  // Declared here: the table line was cut, not forgotten (NFT_TABLE_ASSUMED already says so).
  return ctx.builder.table(family, table, span, `table ${family} ${table}`, true);
}
