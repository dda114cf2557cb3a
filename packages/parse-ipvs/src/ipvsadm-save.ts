import type { IP } from '@svcpath/netaddr';
import { DEFAULT_PERSISTENT_TIMEOUT, parseHostPort, parseSchedFlags, parseUint, persistenceOf } from './ipvs-fields';
import type { ForwardMethod, IpvsProtocol, RealServer, VirtualService } from './ipvs-types';
import { virtualServiceKey } from './ipvs-types';
import { ServiceDraft, type ServerReader, type ServiceTable } from './service-draft';
import type { SourceLine } from './source-text';

/** How an ipvsadm option takes its value (popt table in ipvsadm.c parse_options). */
type Arity = 'none' | 'required' | 'optional';

const OPTIONS: Record<string, { name: string; arity: Arity }> = {};
function opt(name: string, arity: Arity, ...aliases: string[]): void {
  for (const a of [name, ...aliases]) OPTIONS[a] = { name, arity };
}
opt('tcp-service', 'required', '-t');
opt('udp-service', 'required', '-u');
opt('sctp-service', 'required');
opt('fwmark-service', 'required', '-f');
opt('ipv6', 'none', '-6');
opt('scheduler', 'required', '-s');
opt('persistent', 'optional', '-p');
opt('netmask', 'required', '-M');
opt('sched-flags', 'required', '-b');
opt('pe', 'required');
opt('ops', 'none', '-o', 'ops');
opt('real-server', 'required', '-r');
opt('gatewaying', 'none', '-g');
opt('ipip', 'none', '-i');
opt('masquerading', 'none', '-m');
opt('weight', 'required', '-w');
opt('u-threshold', 'required', '-x');
opt('l-threshold', 'required', '-y');
opt('tun-type', 'required');
opt('tun-port', 'required');
opt('tun-nocsum', 'none');
opt('tun-csum', 'none');
opt('tun-remcsum', 'none');

interface Options {
  values: Map<string, string | true>;
  unknown: string[];
}

function readOptions(tokens: readonly string[]): Options {
  const values = new Map<string, string | true>();
  const unknown: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let tok = tokens[i]!;
    let inline: string | undefined;
    if (tok.startsWith('--') && tok.includes('=')) {
      inline = tok.slice(tok.indexOf('=') + 1);
      tok = tok.slice(0, tok.indexOf('='));
    }
    const spec = OPTIONS[tok] ?? OPTIONS[tok.replace(/^--/, '')];
    if (!spec || (tok.startsWith('--') === false && tok.startsWith('-') === false && tok !== 'ops')) {
      unknown.push(tokens[i]!);
      continue;
    }
    if (spec.arity === 'none') values.set(spec.name, true);
    else if (inline !== undefined) values.set(spec.name, inline);
    else {
      const next = tokens[i + 1];
      const takes = spec.arity === 'required' ? next !== undefined : next !== undefined && /^\d+$/.test(next);
      if (takes) {
        values.set(spec.name, next!);
        i++;
      } else if (spec.arity === 'optional') values.set(spec.name, true);
      else unknown.push(tokens[i]!);
    }
  }
  return { values, unknown };
}

type ServiceId = Pick<VirtualService, 'protocol' | 'family' | 'vip' | 'port' | 'fwmark'>;

function serviceIdOf(o: Options): ServiceId | string {
  const protoOpt: Array<[string, IpvsProtocol]> = [
    ['tcp-service', 'tcp'],
    ['udp-service', 'udp'],
    ['sctp-service', 'sctp'],
  ];
  for (const [name, protocol] of protoOpt) {
    const v = o.values.get(name);
    if (typeof v !== 'string') continue;
    const hp = parseHostPort(v);
    if (!hp || hp.port === null) return `bad virtual service address "${v}"`;
    return { protocol, family: hp.ip.family, vip: hp.ip, port: hp.port, fwmark: null };
  }
  const fw = o.values.get('fwmark-service');
  if (typeof fw === 'string') {
    const mark = parseUint(fw, 0xffffffff);
    if (mark === null) return `bad fwmark "${fw}"`;
    return { protocol: null, family: o.values.has('ipv6') ? 6 : 4, vip: null, port: null, fwmark: mark };
  }
  return 'no -t/-u/--sctp-service/-f virtual service';
}

/**
 * Reads one `-A ...` or `-a ...` line of `ipvsadm -Sn` (`next`: where the line after it starts)
 * into the table, reporting what is wrong
 * with it. A good `-a` line is noted on its service and read into a {@link RealServer} when first
 * asked for. Returns the draft an `-A` line made when its key finds it (not a duplicate).
 */
export function readSaveLine(line: SourceLine, next: number, tokens: readonly string[], table: ServiceTable): ServiceDraft | null {
  const cmd = tokens[0];
  const o = readOptions(tokens.slice(1));
  const id = serviceIdOf(o);
  if (typeof id === 'string') {
    table.reject(line, 'IPVS_MISSING_SERVICE', id);
    return null;
  }
  if (cmd === '-A' || cmd === '--add-service') return addService(line, id, o, table);
  addServer(line, next, id, o, table);
  return null;
}

function addService(line: SourceLine, id: ServiceId, o: Options, table: ServiceTable): ServiceDraft | null {
  const d = ServiceDraft.ofLine(table.source, line, id);
  const sched = o.values.get('scheduler');
  if (typeof sched === 'string') d.scheduler = sched;
  const p = o.values.get('persistent');
  const mask = o.values.get('netmask');
  if (p !== undefined) {
    const timeout = p === true ? DEFAULT_PERSISTENT_TIMEOUT : parseUint(p);
    const pers = timeout === null ? null : persistenceOf(timeout, typeof mask === 'string' ? mask : null, id.family);
    if (pers) d.persistence = pers;
    else table.warn(line, 'IPVS_BAD_NUMBER', `bad persistence "-p ${String(p)} -M ${String(mask)}"`);
  }
  const flags = o.values.get('sched-flags');
  if (typeof flags === 'string') {
    const sf = parseSchedFlags(flags.split(','));
    d.schedFlags = sf.flags;
    d.unknownOptions.push(...sf.unknown.map((u) => `-b ${u}`));
  }
  const pe = o.values.get('pe');
  if (typeof pe === 'string') d.persistenceEngine = pe;
  d.onePacket = o.values.has('ops');
  d.unknownOptions.push(...o.unknown);
  for (const u of [...o.unknown, ...d.unknownOptions.filter((x) => x.startsWith('-b '))]) {
    table.warn(line, 'IPVS_UNKNOWN_OPTION', `option "${u}" not understood; kept on the virtual service`);
  }
  return table.add(d) ? d : null;
}

const FORWARD_OF: Array<[string, ForwardMethod]> = [
  ['masquerading', 'masq'],
  ['ipip', 'tunnel'],
  ['gatewaying', 'route'],
];

function addServer(line: SourceLine, next: number, id: ServiceId, o: Options, table: ServiceTable): void {
  const owner = table.byKey.get(virtualServiceKey(id));
  if (!owner) {
    table.reject(line, 'IPVS_ORPHAN_REAL_SERVER', `real server for ${virtualServiceKey(id)}, which no -A line declared`);
    return;
  }
  if (serverOf(line, o, owner, table)) owner.defer(table.pending, line.span.start.offset, next, line.line);
}

/**
 * A checked `-a` line of `owner`, read in full (the same reading that checked it, with nothing
 * reported the second time).
 */
export const readServerAgain: ServerReader = (line, owner) => serverOf(line, readOptions(line.text.trim().split(/\s+/).slice(1)), owner, null)!;

/** The real server an `-a` line describes; reports to `table` (when given) what is wrong with it. */
function serverOf(line: SourceLine, o: Options, owner: ServiceDraft, table: ServiceTable | null): RealServer | null {
  const r = o.values.get('real-server');
  const hp = typeof r === 'string' ? parseHostPort(r) : null;
  if (!hp) {
    table?.reject(line, 'IPVS_BAD_ADDRESS', `bad or missing real server address "${String(r)}"`);
    return null;
  }
  const nums: Record<string, number | undefined> = {};
  for (const k of ['weight', 'u-threshold', 'l-threshold', 'tun-port']) {
    const v = o.values.get(k);
    if (typeof v !== 'string') continue;
    const n = parseUint(v, 0x7fffffff);
    if (n === null) table?.warn(line, 'IPVS_BAD_NUMBER', `bad --${k} "${v}"`);
    else nums[k] = n;
  }
  const forward = FORWARD_OF.find(([k]) => o.values.has(k))?.[1] ?? 'route'; // -g is ipvsadm's default
  const tunType = o.values.get('tun-type');
  const csum = ['tun-nocsum', 'tun-csum', 'tun-remcsum'].find((k) => o.values.has(k));
  for (const u of o.unknown) table?.warn(line, 'IPVS_UNKNOWN_OPTION', `option "${u}" not understood; kept on the real server`);
  return {
    kind: 'real-server',
    address: hp.ip as IP,
    port: hp.port ?? owner.port ?? 0, // ipvsadm: no port means the virtual port
    forward,
    weight: nums['weight'] ?? 1, // ipvsadm's default weight
    ...(nums['u-threshold'] !== undefined ? { upperThreshold: nums['u-threshold'] } : {}),
    ...(nums['l-threshold'] !== undefined ? { lowerThreshold: nums['l-threshold'] } : {}),
    ...(typeof tunType === 'string'
      ? {
          tunnel: {
            type: tunType,
            ...(nums['tun-port'] !== undefined ? { port: nums['tun-port'] } : {}),
            ...(csum ? { checksum: csum.replace('tun-', '') } : {}),
          },
        }
      : {}),
    unknownOptions: o.unknown,
    raw: line.text,
    span: line.span,
  };
}
