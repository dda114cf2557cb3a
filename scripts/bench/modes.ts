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
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset, type DumpFile } from '@svcpath/ruleset';
import { trace } from '@svcpath/tracer';
import { PER_SERVICE, SERVICES, benchCluster, ipvsFiles, nftText, protoOf } from './dumps';
import { fmtMs, median, timeInNetns, timeMedian } from './measure';
import { writeSection } from './write-doc';

const { cluster, ports } = benchCluster();
const proto = (i: (typeof ports)[number]['info']) => protoOf(i);
const dir = mkdtempSync(join(tmpdir(), 'svcpath-bench-modes-'));

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

const nft = nftText(cluster, ports);
const nftFile = join(dir, 'nft.txt');
writeFileSync(nftFile, nft);
const nftM = measure('nftables', [{ name: 'nft.txt', text: nft }]);
const peer = timeInNetns(['nft', '-c', '-f', '-'], nftFile, 20 * 60_000);
const peerText = 'ms' in peer ? fmtMs(peer.ms) : `not measured: ${peer.error}`;
console.log(`nft -c -f: ${peerText}`);
const ipvsM = measure('IPVS', ipvsFiles(cluster, ports));

writeSection(
  'modes',
  `## nftables and IPVS modes: ${SERVICES.toLocaleString('en')} Services × ${PER_SERVICE} endpoints

The same generated cluster as above (${ports.length.toLocaleString('en')} Service ports with endpoints), written in each
mode's layout for ClusterIP traffic (script: \`scripts/bench/modes.ts\`).

| mode | input | svcpath parse + index (median of 3) | peer, same input | peer ÷ svcpath | one trace (median of 1000) |
| --- | --- | --- | --- | --- | --- |
| nftables | \`nft list ruleset\` text, ${(nftM.bytes / 1e6).toFixed(1)} MB | ${fmtMs(nftM.index)} | \`nft -c -f\`: ${peerText} | ${'ms' in peer ? `${(peer.ms / nftM.index).toFixed(1)}×` : 'n/a'} | ${fmtMs(nftM.trace)} |
| IPVS | iptables-save + \`ipvsadm -Sn\` + \`ipset save\`, ${(ipvsM.bytes / 1e6).toFixed(1)} MB | ${fmtMs(ipvsM.index)} | none here: the kernel has no ip_vs, so \`ipvsadm-restore\` cannot run | n/a | ${fmtMs(ipvsM.trace)} |

Both modes check every line and read a chain's rules (nft) or a virtual service's real servers (IPVS)
when a trace first asks for them (parse-nft's and parse-ipvs' READMEs say how).`,
);
