// `npm run bench landing`: how long a new user waits for the demo. The built server (npm start's)
// on a free loopback port; each run is a fresh Chromium profile (empty cache) navigating to the
// app's root and timed until the demo's first graph node is on screen, then until the view has
// settled (the opening fit applied). Median of several runs, with the machine's load beside it.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { writeSection } from './write-doc';

const RUNS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

spawnSync('npx', ['vite', 'build', 'apps/web', '--logLevel', 'warn'], { stdio: 'inherit' });
spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const child = spawn(process.execPath, ['apps/server/dist/main.mjs'], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SVCPATH_STORE: await mkdtemp(join(tmpdir(), 'svcpath-landing-')) }, stdio: ['ignore', 'pipe', 'inherit'] });
let url = '';
let printed = '';
for await (const chunk of child.stdout!) {
  printed += String(chunk);
  const m = /http:\/\/127\.0\.0\.1:\d+/.exec(printed);
  if (m) {
    url = m[0];
    break;
  }
}
if (!url) throw new Error(`the server did not print its address: ${printed}`);

const visible: number[] = [];
const settled: number[] = [];
/** Where the time went, from the page's own marks (apps/web/src/layout/layout-client.ts) and resource timings. */
const phases: Record<string, number[]> = { 'main script loaded': [], 'graph response': [], 'layout worker ready (ELK loaded)': [], 'layout asked': [], 'layout done': [] };
const load = loadavg()[0]!;
try {
  for (let i = 0; i < RUNS; i++) {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    const t0 = Date.now();
    await page.goto(url);
    await page.locator('.svc-node').first().waitFor({ timeout: 60_000 });
    visible.push(Date.now() - t0);
    const seen = (await page.evaluate(`(() => {
      const at = (name) => performance.getEntriesByName(name)[0]?.startTime;
      const res = (part) => performance.getEntriesByType('resource').find((e) => e.name.includes(part))?.responseEnd;
      const marks = performance.getEntriesByType('mark');
      return {
        'main script loaded': res('/assets/index-'),
        'graph response': res('/graph'),
        'layout worker ready (ELK loaded)': at('svcpath:layout-worker-ready'),
        'layout asked': marks.find((m) => m.name.startsWith('svcpath:layout-asked'))?.startTime,
        'layout done': marks.find((m) => m.name.startsWith('svcpath:layout-done'))?.startTime,
      };
    })()`)) as Record<string, number | undefined>;
    for (const [k, v] of Object.entries(seen)) if (v !== undefined) phases[k]!.push(Math.round(v));
    let last = '';
    for (;;) {
      const now = (await page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
      if (now === last) break;
      last = now;
      await page.waitForTimeout(50);
    }
    settled.push(Date.now() - t0 - 50);
    await browser.close();
  }
} finally {
  child.kill();
  await once(child, 'exit');
}

for (const [k, v] of Object.entries(phases)) console.log(`  ${k}: ${v.length ? `${median(v)} ms median` : 'not seen'}`);
const line = `landing: demo graph visible ${median(visible)} ms median (runs: ${visible.join(', ')}), settled ${median(settled)} ms; load average ${load.toFixed(1)} at start`;
console.log(line);
writeSection(
  'landing',
  `## Landing (fresh browser, demo)

\`npm run bench landing\` (scripts/bench/landing.ts): the built server on loopback, a fresh Chromium profile per run
(empty cache) at 1440×900, timed from navigation to the demo's first graph node on screen, then to
the opening fit having settled. Target: ≤ 1.5 s on an idle machine (issue 9).

| measure | median of ${RUNS} | runs (ms) |
| --- | --- | --- |
| first graph node visible | ${median(visible)} ms | ${visible.join(', ')} |
| view settled | ${median(settled)} ms | ${settled.join(', ')} |

Where the time goes (medians, ms after navigation, from the page's marks and resource timings):
${Object.entries(phases).map(([k, v]) => `${k} ${v.length ? median(v) : '—'}`).join(' · ')}.

Load average (1 min) when the run started: ${load.toFixed(1)} on 2 cores.`,
);
