import type { Cond, RsRule } from '@svcpath/ruleset';

function ranges(rs: readonly { from: number; to: number }[]): string {
  return rs.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',');
}

function condText(c: Cond): string | null {
  const not = 'negate' in c && c.negate ? 'not ' : '';
  switch (c.kind) {
    case 'addr':
      return c.dir === 'src' ? `${not}from ${c.cidr.text.replace(/\/(32|128)$/, '')}` : null;
    case 'ports':
      return c.dir === 'src' ? `${not}sport ${ranges(c.ranges)}` : null;
    case 'addrtype':
      return `${not}${c.dir === 'src' ? 'from' : 'to'} ${c.types.join('/').toLowerCase()} addr`;
    case 'recent':
      return c.op === 'rcheck' || c.op === 'update' ? `${not}returning client (${c.seconds ?? 0}s)` : null;
    case 'mark':
      return `${not}mark 0x${c.value.toString(16)}`;
    case 'ctstate':
      return `${not}ctstate ${c.states.join(',')}`;
    case 'iface':
      return `${not}${c.dir} ${c.name}`;
    default:
      return null;
  }
}

/** `to 172.30.0.41:80/tcp`, `port 3001/tcp`, `not to 10.0.0.0/8`, or null. */
function destination(rule: RsRule): string | null {
  let addr: string | null = null;
  let port: string | null = null;
  let not = '';
  for (const c of rule.conds) {
    if (c.kind === 'addr' && c.dir === 'dst') {
      addr = c.cidr.text.replace(/\/(32|128)$/, '');
      if (c.negate) not = 'not ';
    }
    if (c.kind === 'ports' && c.dir === 'dst' && !c.negate) port = ranges(c.ranges);
  }
  const proto = rule.conds.find((c) => c.kind === 'proto' && !c.negate);
  const p = proto && proto.kind === 'proto' ? `/${proto.proto}` : '';
  if (addr && port) return `${not}to ${addr}:${port}${p}`;
  if (addr) return `${not}to ${addr}`;
  return port ? `port ${port}${p}` : null;
}

/**
 * A short description of what a rule tests, for edge labels: `to 172.30.0.41:80/tcp`,
 * `not from 10.0.0.0/8`, `returning client (10800s)`. Comments and statistics are left out (the
 * graph shows shares separately).
 */
export function conditionSummary(rule: RsRule, max = 48): string {
  const parts = [destination(rule), ...rule.conds.map(condText)].filter((t): t is string => t !== null);
  const text = parts.join(' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
