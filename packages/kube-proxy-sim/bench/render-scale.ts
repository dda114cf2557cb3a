/**
 * Benchmark: render kube-proxy's iptables rules for a generated cluster and print how long each
 * step takes. Prints figures only; never fails. Run from the repository root:
 *   npx tsx packages/kube-proxy-sim/bench/render-scale.ts [services] [endpointsPerService] [out-file]
 */
import { writeFileSync } from 'node:fs';
import { formatIptablesSave, generateScaleCluster, renderIptablesRules } from '../src/index';

const services = Number(process.argv[2] ?? 10_000);
const perService = Number(process.argv[3] ?? 10);
const outFile = process.argv[4];

function time<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  const v = f();
  console.log(`${label.padEnd(34)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms`);
  return v;
}

const cluster = time(`generate ${services}×${perService}`, () =>
  generateScaleCluster({ services, endpointsPerService: perService, seed: 1 }),
);
const options = { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR };
for (let run = 1; run <= 3; run++) {
  const rendered = time(`run ${run}: build rules`, () => renderIptablesRules(cluster, options));
  const text = time(`run ${run}: format iptables-save text`, () => formatIptablesSave(rendered.tables));
  const rules = rendered.tables.reduce((n, t) => n + t.rules.length, 0);
  const chains = rendered.tables.reduce((n, t) => n + t.chains.length, 0);
  if (run === 3) {
    console.log(
      `${rules} rules, ${chains} chains, ${(text.length / 1e6).toFixed(1)} MB, largeClusterMode=${rendered.largeClusterMode}`,
    );
    if (outFile) writeFileSync(outFile, text);
  }
}
