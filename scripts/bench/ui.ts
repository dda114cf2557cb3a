/**
 * The web app at scale: on kube-proxy's rules for 10,000 Services × 10 endpoints (39 MB), the time
 * from choosing a Service in the search box to its React Flow graph being drawn, and the trace round
 * trip (click Trace → outcomes shown), in headless Chromium driven by playwright-core. Builds the
 * web app, starts the server on a free port with the dump imported (a temporary store), and times
 * inside the page with requestAnimationFrame polling, so a figure ends at the first frame that shows
 * the result. Medians over several Services spread through the dump. Prints figures and writes them
 * to docs/benchmarks.md. Never fails a build.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { generateScaleCluster, renderIptablesSave } from '@svcpath/kube-proxy-sim';
import { startServer } from '../../apps/server/src/start-server';
import { fmtMs, median } from './measure';
import { writeSection } from './write-doc';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 10_000);
const PER_SERVICE = Number(process.env.BENCH_ENDPOINTS ?? 10);
const SAMPLES = Number(process.env.BENCH_UI_SAMPLES ?? 7);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ROOT = process.cwd();
const SRC = '10.200.0.7';

const cluster = generateScaleCluster({ services: SERVICES, endpointsPerService: PER_SERVICE, seed: 1 });
const text = renderIptablesSave(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR });
const nodeIP = cluster.nodes.find((n) => n.metadata.name === cluster.nodeName)?.status?.addresses?.[0]?.address ?? '';
console.log(`dump: ${SERVICES} Services × ${PER_SERVICE} endpoints, ${(text.length / 1e6).toFixed(1)} MB`);

execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'apps/web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
const store = mkdtempSync(join(tmpdir(), 'svcpath-bench-ui-'));
const profile = mkdtempSync(join(tmpdir(), 'svcpath-bench-ui-profile-'));
const server = await startServer({ port: 0, webDist: join(ROOT, 'apps/web/dist'), store });

/** Resolves at the first animation frame where `selector` matches a drawn element (in the page's clock). */
async function frameWhen(page: Page, selector: string, min = 1): Promise<number> {
  const handle = await page.waitForFunction(
    ({ selector, min }) => {
      // Runs in the page; this script is compiled without the DOM's types, so it names what it uses.
      type El = { getBoundingClientRect(): { width: number; height: number } };
      const page = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> }; getComputedStyle(el: El): { visibility: string } };
      const drawn = Array.from(page.document.querySelectorAll(selector)).filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && page.getComputedStyle(el).visibility !== 'hidden';
      });
      return drawn.length >= min ? performance.now() : false;
    },
    { selector, min },
    { polling: 'raf', timeout: 120_000 },
  );
  return (await handle.jsonValue()) as number;
}
const pageNow = (page: Page) => page.evaluate(() => performance.now());

async function openService(page: Page, id: string): Promise<number> {
  const search = page.getByRole('combobox', { name: 'Find a Service' });
  await search.fill(id.split('/')[1]!);
  const option = page.getByRole('option').filter({ hasText: id.split('/')[1]! }).filter({ hasText: id.split('/')[0]! }).first();
  await option.waitFor();
  const t0 = await pageNow(page);
  await option.click();
  return (await frameWhen(page, `.react-flow[aria-label="Graph: ${id}"] .react-flow__node.react-flow__node-svc`, 3)) - t0;
}

async function traceRoundTrip(page: Page, clusterIP: string, port: number): Promise<number> {
  await page.locator('input[name="src"]').fill(SRC);
  const dst = page.locator('input[name="dst"]');
  if ((await dst.inputValue()) !== clusterIP) {
    await dst.fill(clusterIP);
    await page.locator('input[name="dport"]').fill(String(port));
  }
  const t0 = await pageNow(page);
  await page.getByRole('button', { name: 'Trace', exact: true }).click();
  const shown = await frameWhen(page, '.outcome-text');
  await frameWhen(page, '.svc-node.lit');
  return shown - t0;
}

try {
  let t = performance.now();
  const res = await fetch(`${server.url}/api/snapshots?collection=bench&node=${cluster.nodeName}&nodeIPs=${nodeIP}&name=iptables-save.txt`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: text });
  const imported = (await res.json()) as { snapshot: { id: string } };
  const importMs = performance.now() - t;
  console.log(`import over HTTP (parse in the engine worker, write to the store): ${fmtMs(importMs)}`);

  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  t = performance.now();
  await page.goto(`${server.url}/?snapshot=${imported.snapshot.id}`);
  await frameWhen(page, '.react-flow__node.react-flow__node-svc', 3);
  const overviewMs = performance.now() - t;
  console.log(`open the snapshot → overview drawn: ${fmtMs(overviewMs)}`);

  const targets = cluster.services.filter((s) => s.spec.clusterIP && s.spec.clusterIP !== 'None' && s.spec.ports?.length && s.spec.type === 'ClusterIP');
  const picks = Array.from({ length: SAMPLES }, (_, i) => targets[Math.floor(((i + 0.5) * targets.length) / SAMPLES)]!);
  const open: number[] = [];
  const traces: number[] = [];
  const api: number[] = [];
  for (const svc of picks) {
    const id = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const port = svc.spec.ports![0]!.port;
    const o = await openService(page, id);
    const tr = await traceRoundTrip(page, svc.spec.clusterIP!, port);
    // The same trace over plain HTTP, for the share of the round trip the server takes.
    const a0 = performance.now();
    await fetch(`${server.url}/api/snapshots/${imported.snapshot.id}/trace`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ src: SRC, dst: svc.spec.clusterIP, dport: port, proto: 'tcp' }) });
    api.push(performance.now() - a0);
    open.push(o);
    traces.push(tr);
    console.log(`  ${id}: open → drawn ${fmtMs(o)}, trace round trip ${fmtMs(tr)}`);
  }
  const first = picks[0]!;
  const reopen = await openService(page, `${first.metadata.namespace}/${first.metadata.name}`);
  console.log(`Service → graph drawn: median ${fmtMs(median(open))} (${SAMPLES} Services, min ${fmtMs(Math.min(...open))}, max ${fmtMs(Math.max(...open))}); reopening a Service (cached): ${fmtMs(reopen)}`);
  console.log(`trace round trip: median ${fmtMs(median(traces))}; the trace request alone over HTTP: ${fmtMs(median(api))}`);
  await context.close();

  writeSection(
    'ui',
    `## The web app on 10,000 Services (\`scripts/bench/ui.ts\`)

kube-proxy's iptables rules for ${SERVICES.toLocaleString('en')} Services × ${PER_SERVICE} endpoints (${(text.length / 1e6).toFixed(1)} MB, generated by \`@svcpath/kube-proxy-sim\`), imported into a server on a free port, the web app in headless Chromium (playwright-core, 1440×900). Times are taken in the page and end at the first animation frame that shows the result; medians over ${SAMPLES} ClusterIP Services spread through the dump, each opened for the first time (nothing cached).

| Step | Time |
| --- | --- |
| Import the dump over HTTP (parse in the engine worker, write to the store) | ${fmtMs(importMs)} |
| Open the snapshot → overview graph drawn | ${fmtMs(overviewMs)} |
| Choose a Service in the search → its graph drawn (median; min–max) | ${fmtMs(median(open))} (${fmtMs(Math.min(...open))}–${fmtMs(Math.max(...open))}) |
| Reopen a Service already seen (graph and layout cached) | ${fmtMs(reopen)} |
| Trace round trip: click Trace → outcomes shown (median) | ${fmtMs(median(traces))} |
| The same trace request alone over HTTP (median) | ${fmtMs(median(api))} |

Opening a Service fetches its graph (built in the engine worker from the parsed ruleset), lays it out with ELK in a Web Worker (cached per snapshot and graph) and draws it with React Flow; the doctor's findings for the Service load beside it without holding the graph back.`,
  );
} finally {
  await server.close();
  rmSync(store, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
