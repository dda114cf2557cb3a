import { parseHostPort, parseLargeNum, parseSchedFlags, parseUint, persistenceOf } from './ipvs-fields';
import type { ForwardMethod, IpvsProtocol, ListVariant, RateStats, RealServer, TrafficStats } from './ipvs-types';
import { ServiceDraft, type ServiceTable } from './service-draft';
import type { SourceLine } from './source-text';

/** The -Ln title line tells which columns follow (ipvsadm.c print_title). */
export function listVariantOfTitle(text: string): ListVariant | null {
  if (!/^Prot LocalAddress:Port\b/.test(text)) return null;
  if (/\bConns\s+InPkts/.test(text)) return 'stats';
  if (/\bCPS\s+InPPS/.test(text)) return 'rate';
  if (/\bUthreshold\b/.test(text)) return 'thresholds';
  if (/\bPersistConn\b/.test(text)) return 'persistent-conn';
  return 'plain';
}

const PROTOCOL_OF: Record<string, IpvsProtocol> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

/** Reads a service line (`TCP  10.96.0.1:443 rr persistent 10800`, `FWM  1 IPv6 wlc`, ...). */
export function readListService(line: SourceLine, tokens: readonly string[], variant: ListVariant, table: ServiceTable): ServiceDraft | null {
  const [head, idText] = tokens;
  let rest: string[];
  let d: ServiceDraft;
  if (head === 'FWM') {
    const mark = idText === undefined ? null : parseUint(idText, 0xffffffff);
    if (mark === null) {
      table.reject(line, 'IPVS_BAD_NUMBER', `bad fwmark "${String(idText)}"`);
      return null;
    }
    const v6 = tokens[2] === 'IPv6';
    d = ServiceDraft.ofLine(table.source, line, { protocol: null, family: v6 ? 6 : 4, vip: null, port: null, fwmark: mark });
    rest = tokens.slice(v6 ? 3 : 2);
  } else {
    const protocol = PROTOCOL_OF[head ?? ''];
    const hp = idText === undefined ? null : parseHostPort(idText);
    if (!protocol || !hp || hp.port === null) {
      table.reject(line, 'IPVS_BAD_ADDRESS', `bad virtual service "${tokens.slice(0, 2).join(' ')}"`);
      return null;
    }
    d = ServiceDraft.ofLine(table.source, line, { protocol, family: hp.ip.family, vip: hp.ip, port: hp.port, fwmark: null });
    rest = tokens.slice(2);
  }
  if (variant === 'stats' || variant === 'rate') readServiceCounters(line, d, rest, variant, table);
  else readServiceFlags(line, d, rest, table);
  table.add(d);
  return d;
}

function readServiceCounters(line: SourceLine, d: ServiceDraft, rest: string[], variant: 'stats' | 'rate', table: ServiceTable): void {
  const nums = rest.map(parseLargeNum);
  if (nums.length !== 5 || nums.some((n) => n === null)) {
    table.warn(line, 'IPVS_BAD_NUMBER', `expected 5 ${variant} columns, got "${rest.join(' ')}"`);
    d.unknownOptions.push(...rest);
    return;
  }
  const v = nums.map((n) => n!.value) as [number, number, number, number, number];
  const approximate = nums.some((n) => n!.approximate);
  if (variant === 'stats') d.stats = statsOf(v, approximate);
  else d.rate = rateOf(v, approximate);
}

function statsOf(v: [number, number, number, number, number], approximate: boolean): TrafficStats {
  return { conns: v[0], inPkts: v[1], outPkts: v[2], inBytes: v[3], outBytes: v[4], approximate };
}
function rateOf(v: [number, number, number, number, number], approximate: boolean): RateStats {
  return { cps: v[0], inPps: v[1], outPps: v[2], inBps: v[3], outBps: v[4], approximate };
}

/** `rr (sh-fallback,sh-port) persistent 10800 mask 255.255.255.0 pe sip ops`, in any order. */
function readServiceFlags(line: SourceLine, d: ServiceDraft, rest: string[], table: ServiceTable): void {
  const [sched, ...more] = rest;
  if (sched === undefined) {
    table.warn(line, 'IPVS_UNKNOWN_LINE', 'virtual service line without a scheduler');
    return;
  }
  d.scheduler = sched;
  let timeout: number | null = null;
  let mask: string | null = null;
  for (let i = 0; i < more.length; i++) {
    const t = more[i]!;
    const next = more[i + 1];
    if (t.startsWith('(') && t.endsWith(')')) {
      const sf = parseSchedFlags(t.slice(1, -1).split(','));
      d.schedFlags = sf.flags;
      d.unknownOptions.push(...sf.unknown);
    } else if (t === 'persistent' && next !== undefined && parseUint(next) !== null) {
      timeout = parseUint(next);
      i++;
    } else if (t === 'mask' && next !== undefined) {
      mask = next;
      i++;
    } else if (t === 'pe' && next !== undefined) {
      d.persistenceEngine = next;
      i++;
    } else if (t === 'ops') d.onePacket = true;
    else d.unknownOptions.push(t);
  }
  if (timeout !== null) {
    const p = persistenceOf(timeout, mask, d.family);
    if (p) d.persistence = p;
    else table.warn(line, 'IPVS_BAD_NUMBER', `bad persistence mask "${String(mask)}"`);
  }
  for (const u of d.unknownOptions) table.warn(line, 'IPVS_UNKNOWN_OPTION', `"${u}" not understood; kept on the virtual service`);
}

const FORWARD_OF: Record<string, ForwardMethod> = { Masq: 'masq', Route: 'route', Tunnel: 'tunnel', Local: 'local' };

/** Reads `  -> 10.0.0.5:6443  Masq  1  0  0` (or the stats/rate/threshold variants). */
export function readListServer(line: SourceLine, tokens: readonly string[], variant: ListVariant, owner: ServiceDraft | null, table: ServiceTable): void {
  if (!owner) {
    table.reject(line, 'IPVS_ORPHAN_REAL_SERVER', 'real server line before any virtual service line');
    return;
  }
  const hp = tokens[1] === undefined ? null : parseHostPort(tokens[1]);
  if (!hp) {
    table.reject(line, 'IPVS_BAD_ADDRESS', `bad real server address "${String(tokens[1])}"`);
    return;
  }
  const cols = tokens.slice(2);
  const fields = serverColumns(variant, cols);
  if (!fields) {
    table.reject(line, 'IPVS_BAD_NUMBER', `unexpected ${variant} columns "${cols.join(' ')}"`);
    return;
  }
  // Only some listings print weight and forwarding; the others leave them unknown. We keep
  // weight 1 / route, list them in `assumed`, and the parser reports it once per dump.
  const assumed = [...(fields.weight === undefined ? ['weight' as const] : []), ...(fields.forward === undefined ? ['forward' as const] : [])];
  const rs: RealServer = {
    kind: 'real-server',
    address: hp.ip,
    port: hp.port ?? owner.port ?? 0,
    forward: fields.forward ?? 'route',
    weight: fields.weight ?? 1,
    ...fields.extra,
    ...(assumed.length > 0 ? { assumed } : {}),
    unknownOptions: [],
    raw: line.text,
    span: line.span,
  };
  if (assumed.length > 0) table.assumed = true;
  owner.addServer(rs, line);
}

interface ServerFields {
  forward?: ForwardMethod;
  weight?: number;
  extra: Partial<Pick<RealServer, 'activeConns' | 'inactiveConns' | 'persistConns' | 'upperThreshold' | 'lowerThreshold' | 'stats' | 'rate'>>;
}

function serverColumns(variant: ListVariant, cols: string[]): ServerFields | null {
  const ints = (xs: string[]) => xs.map((x) => parseUint(x));
  switch (variant) {
    case 'plain': {
      const [fwd, ...rest] = cols;
      const forward = FORWARD_OF[fwd ?? ''];
      const [w, a, i] = ints(rest);
      if (!forward || rest.length !== 3 || w == null || a == null || i == null) {
        // ipvsadm prints weight with %-6d: a negative weight cannot occur, anything else is bad input.
        return null;
      }
      return { forward, weight: w, extra: { activeConns: a, inactiveConns: i } };
    }
    case 'persistent-conn': {
      const [w, p, a, i] = ints(cols);
      if (cols.length !== 4 || w == null || p == null || a == null || i == null) return null;
      return { weight: w, extra: { persistConns: p, activeConns: a, inactiveConns: i } };
    }
    case 'thresholds': {
      const [u, l, a, i] = ints(cols);
      if (cols.length !== 4 || u == null || l == null || a == null || i == null) return null;
      return { extra: { upperThreshold: u, lowerThreshold: l, activeConns: a, inactiveConns: i } };
    }
    case 'stats':
    case 'rate': {
      const nums = cols.map(parseLargeNum);
      if (nums.length !== 5 || nums.some((n) => n === null)) return null;
      const v = nums.map((n) => n!.value) as [number, number, number, number, number];
      const approx = nums.some((n) => n!.approximate);
      return { extra: variant === 'stats' ? { stats: statsOf(v, approx) } : { rate: rateOf(v, approx) } };
    }
    default: {
      const never: never = variant;
      return never;
    }
  }
}
