import { isIPv4 } from 'node:net';
import type { LabListener, LabSpec, ProbeRequest } from './lab-types';

/** A lab spec or probe request that cannot work (bad address, address in the wrong place…). */
export class LabSpecError extends Error {
  readonly kind = 'lab-spec';
  constructor(message: string) {
    super(message);
    this.name = 'LabSpecError';
  }
}

function ipv4(what: string, ip: string): void {
  if (!isIPv4(ip)) throw new LabSpecError(`${what}: ${JSON.stringify(ip)} is not a dotted-quad IPv4 address`);
}

function listener(what: string, l: LabListener): void {
  ipv4(what, l.ip);
  if (!Number.isInteger(l.port) || l.port < 1 || l.port > 65535)
    throw new LabSpecError(`${what}: bad port ${l.port}`);
  if (l.proto !== 'tcp' && l.proto !== 'udp')
    throw new LabSpecError(`${what}: bad protocol ${String(l.proto)}`);
}

/** True for the addresses a listener in N may bind besides the node IPs. */
function isNodeLocalWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip.startsWith('127.');
}

/**
 * Throws a {@link LabSpecError} unless `spec` describes a lab that can be built: IPv4 everywhere,
 * at least one node IP, and no address in two places (an address owned by C, N and P at once would
 * make packets take shortcuts a real node never takes).
 */
export function checkLabSpec(spec: LabSpec): void {
  if (spec.nodeIPs.length === 0) throw new LabSpecError('nodeIPs: at least one node IP is needed');
  spec.nodeIPs.forEach((ip) => ipv4('nodeIPs', ip));
  spec.clientIPs.forEach((ip) => ipv4('clientIPs', ip));
  spec.endpoints.forEach((e) => listener('endpoints', e));
  (spec.nodeListeners ?? []).forEach((l) => listener('nodeListeners', l));

  const owner = new Map<string, string>();
  const claim = (ip: string, who: string): void => {
    const prev = owner.get(ip);
    if (prev !== undefined && prev !== who)
      throw new LabSpecError(`${ip} appears in both ${prev} and ${who}`);
    owner.set(ip, who);
  };
  spec.nodeIPs.forEach((ip) => claim(ip, 'nodeIPs'));
  spec.clientIPs.forEach((ip) => claim(ip, 'clientIPs'));
  spec.endpoints.forEach((e) => claim(e.ip, 'endpoints'));
  for (const l of spec.nodeListeners ?? []) {
    if (!spec.nodeIPs.includes(l.ip) && !isNodeLocalWildcard(l.ip)) {
      throw new LabSpecError(`nodeListeners: ${l.ip} is not a node IP, 127/8 or 0.0.0.0`);
    }
  }
}

/** Throws a {@link LabSpecError} unless `req` can be sent from this lab. */
export function checkProbeRequest(spec: LabSpec, req: ProbeRequest): void {
  ipv4('probe src', req.src);
  ipv4('probe dst', req.dst);
  const sources = req.fromNode ? spec.nodeIPs : spec.clientIPs;
  if (!sources.includes(req.src)) {
    const where = req.fromNode ? 'nodeIPs (fromNode probe)' : 'clientIPs';
    throw new LabSpecError(`probe src ${req.src} is not one of the lab's ${where}`);
  }
  if (!Number.isInteger(req.dport) || req.dport < 1 || req.dport > 65535)
    throw new LabSpecError(`bad dport ${req.dport}`);
  if (req.proto !== 'tcp' && req.proto !== 'udp') throw new LabSpecError(`bad protocol ${String(req.proto)}`);
  if (!Number.isInteger(req.tries) || req.tries < 1)
    throw new LabSpecError(`tries must be a positive integer, got ${req.tries}`);
}
