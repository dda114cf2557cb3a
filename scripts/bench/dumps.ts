/**
 * The scale inputs every benchmark reads: kube-proxy's rules for one generated cluster (10,000
 * Services × 10 endpoints unless BENCH_SERVICES / BENCH_ENDPOINTS say otherwise), written in each
 * mode's layout. iptables: kube-proxy-sim renders it as iptables-save prints it. nftables: kube-proxy's
 * nftables table for ClusterIP traffic (service-ips verdict map, a chain per Service with a numgen
 * verdict map, a chain per endpoint). IPVS: a virtual service per ClusterIP port with its real
 * servers, the KUBE-CLUSTER-IP ipset and kube-proxy's IPVS-mode iptables rules.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { categorizeEndpoints, proxiedServicePorts, type ServicePortInfo } from '@svcpath/k8s-model';
import { generateScaleCluster, renderIptablesSave, type ScaleCluster } from '@svcpath/kube-proxy-sim';
import type { IP } from '@svcpath/netaddr';
import type { DumpFile } from '@svcpath/ruleset';

export const SERVICES = Number(process.env.BENCH_SERVICES ?? 10_000);
export const PER_SERVICE = Number(process.env.BENCH_ENDPOINTS ?? 10);

/** One proxied Service port with its cluster endpoints. */
export interface BenchPort {
  readonly info: ServicePortInfo;
  readonly eps: readonly { ip: IP; port: number }[];
}

/** The generated cluster and its Service ports that have endpoints. */
export function benchCluster(): { cluster: ScaleCluster; ports: BenchPort[] } {
  const cluster = generateScaleCluster({ services: SERVICES, endpointsPerService: PER_SERVICE, seed: 1 });
  const { servicePorts } = proxiedServicePorts(cluster, { nodeName: cluster.nodeName, family: 'IPv4' });
  const ports = servicePorts
    .map((sp) => ({ info: sp.info, eps: categorizeEndpoints(sp.endpoints, sp.info, { nodeName: cluster.nodeName, zone: null }).clusterEndpoints }))
    .filter((p) => p.eps.length > 0);
  return { cluster, ports };
}

export const protoOf = (i: ServicePortInfo) => i.name.protocol.toLowerCase();

/** iptables-save text of kube-proxy's iptables mode for the cluster. */
export function iptablesText(cluster: ScaleCluster): string {
  return renderIptablesSave(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR });
}

/** `nft list ruleset` text of kube-proxy's nftables table for the cluster's ClusterIP traffic. */
export function nftText(cluster: ScaleCluster, ports: readonly BenchPort[]): string {
  const out: string[] = ['table ip kube-proxy {', '\tmap service-ips {', '\t\ttype ipv4_addr . inet_proto . inet_service : verdict', '\t\telements = {'];
  out.push(ports.map((p) => `\t\t\t${p.info.clusterIP.text} . ${protoOf(p.info)} . ${p.info.port} : goto ${svcChain(p.info)}`).join(',\n'));
  out.push('\t\t}', '\t}');
  out.push('\tchain nat-prerouting {', '\t\ttype nat hook prerouting priority dstnat; policy accept;', '\t\tjump services', '\t}');
  out.push('\tchain nat-output {', '\t\ttype nat hook output priority -100; policy accept;', '\t\tjump services', '\t}');
  out.push('\tchain nat-postrouting {', '\t\ttype nat hook postrouting priority srcnat; policy accept;', '\t\tjump masquerading', '\t}');
  out.push('\tchain mark-for-masquerade {', '\t\tmeta mark set meta mark | 0x00004000', '\t}');
  out.push('\tchain masquerading {', '\t\tmeta mark & 0x00004000 == 0x00000000 return', '\t\tmeta mark set meta mark ^ 0x00004000', '\t\tmasquerade fully-random', '\t}');
  out.push('\tchain services {', '\t\tip daddr . meta l4proto . th dport vmap @service-ips', '\t}');
  for (const p of ports) {
    const eps = p.eps.map((e) => ({ e, chain: `endpoint-${svcChain(p.info).slice(8, 16)}-${p.info.name.namespace}/${p.info.name.name}/${protoOf(p.info)}/${p.info.name.port}__${e.ip.text}/${e.port}` }));
    out.push(`\tchain ${svcChain(p.info)} {`, `\t\tip daddr ${p.info.clusterIP.text} ip saddr != ${cluster.clusterCIDR} jump mark-for-masquerade`);
    out.push(`\t\tnumgen random mod ${eps.length} vmap { ${eps.map((x, i) => `${i} : goto ${x.chain}`).join(', ')} }`, '\t}');
    for (const x of eps) out.push(`\tchain ${x.chain} {`, `\t\tip saddr ${x.e.ip.text} jump mark-for-masquerade`, `\t\tmeta l4proto ${protoOf(p.info)} dnat to ${x.e.ip.text}:${x.e.port}`, '\t}');
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

function svcChain(i: ServicePortInfo): string {
  const h = Math.abs(hash(i.nameString)).toString(36).toUpperCase().padStart(8, '0').slice(0, 8);
  return `service-${h}-${i.name.namespace}/${i.name.name}/${protoOf(i)}/${i.name.port}`;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** IPVS mode: kube-proxy's IPVS-mode iptables rules, `ipvsadm -Sn` and `ipset save`. */
export function ipvsFiles(cluster: ScaleCluster, ports: readonly BenchPort[]): DumpFile[] {
  const vs: string[] = [];
  const set: string[] = ['create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 262144'];
  for (const p of ports) {
    const flag = protoOf(p.info) === 'udp' ? '-u' : protoOf(p.info) === 'sctp' ? '--sctp-service' : '-t';
    vs.push(`-A ${flag} ${p.info.clusterIP.text}:${p.info.port} -s rr`);
    for (const e of p.eps) vs.push(`-a ${flag} ${p.info.clusterIP.text}:${p.info.port} -r ${e.ip.text}:${e.port} -m -w 1`);
    set.push(`add KUBE-CLUSTER-IP ${p.info.clusterIP.text},${protoOf(p.info)}:${p.info.port}`);
  }
  const rules = readFileSync('packages/tracer/src/fixtures/ipvs-mode/iptables-save.txt', 'utf8').replaceAll('10.244.0.0/16', cluster.clusterCIDR);
  const staticSets = readFileSync('packages/tracer/src/fixtures/ipvs-mode/ipset-save.txt', 'utf8')
    .split('\n')
    .filter((l) => !/KUBE-CLUSTER-IP /.test(l))
    .join('\n');
  return [
    { name: 'iptables-save.txt', text: rules },
    { name: 'ipvsadm-Sn.txt', text: `${vs.join('\n')}\n` },
    { name: 'ipset-save.txt', text: `${set.join('\n')}\n${staticSets}` },
  ];
}

/** Writes every mode's dump under `dir` (iptables-save.txt, nft.txt, ipvs/*) and returns their paths. */
export function writeDumps(dir: string, cluster: ScaleCluster, ports: readonly BenchPort[]) {
  mkdirSync(join(dir, 'ipvs'), { recursive: true });
  const iptables = join(dir, 'iptables-save.txt');
  writeFileSync(iptables, iptablesText(cluster));
  const nft = join(dir, 'nft.txt');
  writeFileSync(nft, nftText(cluster, ports));
  const ipvs = ipvsFiles(cluster, ports).map((f) => {
    const path = join(dir, 'ipvs', f.name);
    writeFileSync(path, f.text);
    return path;
  });
  return { iptables, nft, ipvs };
}

// `npx tsx scripts/bench/dumps.ts DIR` writes the dumps for a manual run.
if (process.argv[1]?.endsWith('dumps.ts') && process.argv[2]) {
  const { cluster, ports } = benchCluster();
  console.log(JSON.stringify(writeDumps(process.argv[2], cluster, ports)));
}
