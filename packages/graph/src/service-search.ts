import type { ServiceInfo } from './service-catalog';

/** What a Service can be found by: name, namespace, ClusterIP, NodePort, external/LB IP, port name. */
function keysOf(s: ServiceInfo): { exact: string[]; text: string[] } {
  const exact = [s.id, s.name];
  for (const p of s.ports) {
    if (p.clusterIP) exact.push(p.clusterIP, `${p.clusterIP}:${p.port ?? ''}`);
    if (p.nodePort !== null) exact.push(String(p.nodePort));
    for (const ip of [...p.externalIPs, ...p.loadBalancerIPs]) exact.push(ip, `${ip}:${p.port ?? ''}`);
    exact.push(p.portName);
  }
  return { exact: exact.map((k) => k.toLowerCase()), text: [s.id.toLowerCase(), ...exact.map((k) => k.toLowerCase())] };
}

function score(s: ServiceInfo, token: string): number | null {
  const k = keysOf(s);
  if (k.exact.includes(token)) return 0;
  if (s.name.toLowerCase().startsWith(token) || s.id.toLowerCase().startsWith(token)) return 1;
  if (k.exact.some((x) => x.startsWith(token))) return 2;
  if (k.text.some((x) => x.includes(token))) return 3;
  return null;
}

/**
 * Services matching every whitespace-separated token of `query`, best first: exact name, IP or
 * NodePort; then name prefixes; then any key's prefix; then substrings. An empty query lists all.
 */
export function searchServices(services: readonly ServiceInfo[], query: string, limit = 50): { total: number; services: ServiceInfo[] } {
  const tokens = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { total: services.length, services: services.slice(0, limit) };
  const hits: { s: ServiceInfo; rank: number }[] = [];
  for (const s of services) {
    let rank = 0;
    for (const t of tokens) {
      const r = score(s, t);
      if (r === null) {
        rank = -1;
        break;
      }
      rank += r;
    }
    if (rank >= 0) hits.push({ s, rank });
  }
  hits.sort((a, b) => a.rank - b.rank || a.s.id.localeCompare(b.s.id));
  return { total: hits.length, services: hits.slice(0, limit).map((h) => h.s) };
}
