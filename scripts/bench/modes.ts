/**
 * nftables and IPVS modes at scale: the same generated cluster as the iptables benchmark (10,000
 * Services × 10 endpoints), written in each mode's layout for its ClusterIP traffic — kube-proxy's
 * nftables table (service-ips verdict map, a chain per Service with a numgen verdict map, a chain per
 * endpoint) and IPVS (a virtual service per ClusterIP port with its real servers, the KUBE-CLUSTER-IP
 * ipset, kube-proxy's IPVS-mode iptables rules). Times svcpath's parse + index and one trace; the
 * nftables peer is `nft -c -f` (parse and check, no commit) on the same file. IPVS has no peer here:
 * the kernel has no ip_vs, so ipvsadm-restore cannot run. Prints figures and writes them to
 * docs/benchmarks.md. Never fails.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { categorizeEndpoints, proxiedServicePorts, type ServicePortInfo } from '@svcpath/k8s-model';
import { generateScaleCluster } from '@svcpath/kube-proxy-sim';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset, type DumpFile } from '@svcpath/ruleset';
import { trace } from '@svcpath/tracer';
import { fmtMs, median, timeInNetns, timeMedian } from './measure';
import { writeSection } from './write-doc';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 10_000);
const PER_SERVICE = Number(process.env.BENCH_ENDPOINTS ?? 10);
const cluster = generateScaleCluster({ services: SERVICES, endpointsPerService: PER_SERVICE, seed: 1 });
const { servicePorts } = proxiedServicePorts(cluster, { nodeName: cluster.nodeName, family: 'IPv4' });
const ports = servicePorts
  .map((sp) => ({ info: sp.info, eps: categorizeEndpoints(sp.endpoints, sp.info, { nodeName: cluster.nodeName, zone: null }).clusterEndpoints }))
  .filter((p) => p.eps.length > 0);
const proto = (i: ServicePortInfo) => i.name.protocol.toLowerCase();
const dir = mkdtempSync(join(tmpdir(), 'svcpath-bench-modes-'));

function nftText(): string {
  const out: string[] = ['table ip kube-proxy {', '\tmap service-ips {', '\t\ttype ipv4_addr . inet_proto . inet_service : verdict', '\t\telements = {'];
  out.push(ports.map((p) => `\t\t\t${p.info.clusterIP.text} . ${proto(p.info)} . ${p.info.port} : goto ${svcChain(p.info)}`).join(',\n'));
  out.push('\t\t}', '\t}');
  out.push('\tchain nat-prerouting {', '\t\ttype nat hook prerouting priority dstnat; policy accept;', '\t\tjump services', '\t}');
  out.push('\tchain nat-output {', '\t\ttype nat hook output priority -100; policy accept;', '\t\tjump services', '\t}');
  out.push('\tchain nat-postrouting {', '\t\ttype nat hook postrouting priority srcnat; policy accept;', '\t\tjump masquerading', '\t}');
  out.push('\tchain mark-for-masquerade {', '\t\tmeta mark set meta mark | 0x00004000', '\t}');
  out.push('\tchain masquerading {', '\t\tmeta mark & 0x00004000 == 0x00000000 return', '\t\tmeta mark set meta mark ^ 0x00004000', '\t\tmasquerade fully-random', '\t}');
  out.push('\tchain services {', '\t\tip daddr . meta l4proto . th dport vmap @service-ips', '\t}');
  for (const p of ports) {
    const eps = p.eps.map((e) => ({ e, chain: `endpoint-${svcChain(p.info).slice(8, 16)}-${p.info.name.namespace}/${p.info.name.name}/${proto(p.info)}/${p.info.name.port}__${e.ip.text}/${e.port}` }));
    out.push(`\tchain ${svcChain(p.info)} {`, `\t\tip daddr ${p.info.clusterIP.text} ip saddr != ${cluster.clusterCIDR} jump mark-for-masquerade`);
    out.push(`\t\tnumgen random mod ${eps.length} vmap { ${eps.map((x, i) => `${i} : goto ${x.chain}`).join(', ')} }`, '\t}');
    for (const x of eps) out.push(`\tchain ${x.chain} {`, `\t\tip saddr ${x.e.ip.text} jump mark-for-masquerade`, `\t\tmeta l4proto ${proto(p.info)} dnat to ${x.e.ip.text}:${x.e.port}`, '\t}');
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

function svcChain(i: ServicePortInfo): string {
  const h = Math.abs(hash(i.nameString)).toString(36).toUpperCase().padStart(8, '0').slice(0, 8);
  return `service-${h}-${i.name.namespace}/${i.name.name}/${proto(i)}/${i.name.port}`;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

function ipvsFiles(): DumpFile[] {
  const vs: string[] = [];
  const set: string[] = ['create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 262144'];
  for (const p of ports) {
    const flag = proto(p.info) === 'udp' ? '-u' : proto(p.info) === 'sctp' ? '--sctp-service' : '-t';
    vs.push(`-A ${flag} ${p.info.clusterIP.text}:${p.info.port} -s rr`);
    for (const e of p.eps) vs.push(`-a ${flag} ${p.info.clusterIP.text}:${p.info.port} -r ${e.ip.text}:${e.port} -m -w 1`);
    set.push(`add KUBE-CLUSTER-IP ${p.info.clusterIP.text},${proto(p.info)}:${p.info.port}`);
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

function measure(name: string, files: DumpFile[]) {
  const index = timeMedian(3, () => loadRuleset(files).ruleset!);
  const rs = index.value;
  const src = parseIP('10.200.0.7')!;
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const p = ports[Math.floor(((i % 1000) * ports.length) / 1000)]!;
    const t0 = performance.now();
    trace(rs, { src, dst: p.info.clusterIP, dport: p.info.port, proto: proto(p.info) as 'tcp' }, { localAddresses: [] });
    if (i >= 1000) samples.push(performance.now() - t0);
  }
  const p0 = ports[0]!;
  const check = trace(rs, { src, dst: p0.info.clusterIP, dport: p0.info.port, proto: proto(p0.info) as 'tcp' }, { localAddresses: [] });
  const dnats = check.outcomes.filter((o) => o.verdict === 'DNAT').length;
  if (dnats !== p0.eps.length) console.log(`${name}: warning: the first Service traced to ${dnats} endpoints, expected ${p0.eps.length}`);
  const bytes = files.reduce((a, f) => a + f.text.length, 0);
  console.log(`${name}: ${(bytes / 1e6).toFixed(1)} MB; parse + index ${fmtMs(index.ms)} (median of 3); trace median ${fmtMs(median(samples))}`);
  return { index: index.ms, trace: median(samples), bytes };
}

const nft = nftText();
const nftFile = join(dir, 'nft.txt');
writeFileSync(nftFile, nft);
const nftM = measure('nftables', [{ name: 'nft.txt', text: nft }]);
const peer = timeInNetns(['nft', '-c', '-f', '-'], nftFile, 20 * 60_000);
const peerText = 'ms' in peer ? fmtMs(peer.ms) : `not measured: ${peer.error}`;
console.log(`nft -c -f: ${peerText}`);
const ipvsM = measure('IPVS', ipvsFiles());

writeSection(
  'modes',
  `## nftables and IPVS modes: ${SERVICES.toLocaleString('en')} Services × ${PER_SERVICE} endpoints

The same generated cluster as above (${ports.length.toLocaleString('en')} Service ports with endpoints), written in each
mode's layout for ClusterIP traffic (script: \`scripts/bench/modes.ts\`).

| mode | input | svcpath parse + index (median of 3) | peer, same input | peer ÷ svcpath | one trace (median of 1000) |
| --- | --- | --- | --- | --- | --- |
| nftables | \`nft list ruleset\` text, ${(nftM.bytes / 1e6).toFixed(1)} MB | ${fmtMs(nftM.index)} | \`nft -c -f\`: ${peerText} | ${'ms' in peer ? `${(peer.ms / nftM.index).toFixed(1)}×` : 'n/a'} | ${fmtMs(nftM.trace)} |
| IPVS | iptables-save + \`ipvsadm -Sn\` + \`ipset save\`, ${(ipvsM.bytes / 1e6).toFixed(1)} MB | ${fmtMs(ipvsM.index)} | none here: the kernel has no ip_vs, so \`ipvsadm-restore\` cannot run | n/a | ${fmtMs(ipvsM.trace)} |

nftables mode parses every rule eagerly (no lazy path yet), which is why its index time is well above
the iptables one for a smaller file.`,
);
