/**
 * How long `diffRulesets` takes on a large node: kube-proxy-sim's scale cluster (N Services × M
 * endpoints, default 10,000 × 10) rendered twice, the second time with one endpoint gone. Prints
 * the time to read the two dumps (the peer measured in the same run) and the time to diff them.
 *
 *   npx tsx packages/diff/bench/diff-scale.ts [services] [endpointsPerService]
 */
import { generateScaleCluster, renderIptablesSave } from '@svcpath/kube-proxy-sim';
import { loadRuleset } from '@svcpath/ruleset';
import { diffRulesets } from '../src/diff-rulesets';

const services = Number(process.argv[2] ?? 10_000);
const perService = Number(process.argv[3] ?? 10);
const cluster = generateScaleCluster({ services, endpointsPerService: perService, seed: 1 });
const options = { nodeName: cluster.nodeName, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8' };
const before = renderIptablesSave(cluster, options);
const slices = cluster.endpointSlices.map((s, i) => (i === 0 ? { ...s, endpoints: s.endpoints.slice(1) } : s));
const after = renderIptablesSave({ ...cluster, endpointSlices: slices }, options);

const t0 = performance.now();
const a = loadRuleset([{ name: 'before', text: before }]).ruleset!;
const b = loadRuleset([{ name: 'after', text: after }]).ruleset!;
const read = performance.now() - t0;
const t1 = performance.now();
const report = diffRulesets({ label: 'before', ruleset: a, nodeIPs: ['192.168.0.2'] }, { label: 'after', ruleset: b, nodeIPs: ['192.168.0.2'] });
const diff = performance.now() - t1;
console.log(`${services} Services × ${perService} endpoints: read both dumps ${(read / 1000).toFixed(1)} s; diff ${(diff / 1000).toFixed(1)} s (${(diff / read).toFixed(1)}× the read); ${report.servicePorts.length} of ${report.compared} Service ports changed`);
