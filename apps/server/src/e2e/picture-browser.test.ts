import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../start-server';

// A real browser on a shared CI machine: give polls and tests room, so load never reads as a failure.
vi.setConfig({ testTimeout: 120_000, expect: { poll: { timeout: 20_000, interval: 100 } } });

/**
 * The picture, checked from the DOM in Debian's Chromium (playwright-core): at the default fit every
 * node title and edge label is at least 12 px on screen, no edge label overlaps a node or another
 * label, no title, detail line, badge or label is clipped, the legend sits outside the canvas, the
 * header is one row; the inspector opens in view beside the graph and Escape closes it; nodes are
 * reachable and movable by keyboard, and a skip link jumps past the graph. With
 * SVCPATH_UPDATE_SCREENSHOT=1 it refreshes the gallery in docs/gallery/.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
let server: RunningServer;
let browser: Browser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'apps/web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  server = await startServer({ port: 0, collections: [join(ROOT, 'apps/server/demo')], webDist: join(ROOT, 'apps/web/dist') });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(path: string, width: number, height: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height }, colorScheme: 'light' });
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${server.url}${path}`);
  await page.locator('.svc-node').first().waitFor({ timeout: 90_000 });
  // The opening fit is set once the pane has a size; wait until the viewport stops changing.
  let last = '';
  await expect.poll(async () => {
    const now = await page.locator('.react-flow__viewport').getAttribute('style');
    const settled = now === last;
    last = now ?? '';
    return settled;
  }, { interval: 150 }).toBe(true);
  return page;
}

interface Box { x: number; y: number; w: number; h: number; text: string }
interface Measures {
  zoom: number;
  pane: Box;
  nodes: Box[];
  labels: Box[];
  /** Smallest on-screen font size of the titles and edge labels in view. */
  smallestPx: number;
  clipped: string[];
  legend: Box;
  header: { height: number; rows: number };
}

/**
 * Everything the checks need, read from the DOM's bounding boxes and computed styles. Plain
 * JavaScript run in the page (this workspace compiles without the DOM's types).
 */
const MEASURE = `(() => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height, text: (el.textContent || '').trim() };
  };
  const m = /scale\\(([\\d.]+)\\)/.exec(document.querySelector('.react-flow__viewport').style.transform);
  const zoom = m ? Number(m[1]) : 1;
  const pane = box(document.querySelector('.graph-canvas'));
  const inView = (b) => b.x + b.w > pane.x && b.x < pane.x + pane.w && b.y + b.h > pane.y && b.y < pane.y + pane.h;
  const nodes = [...document.querySelectorAll('.react-flow__node .svc-node')].map(box);
  const labels = [...document.querySelectorAll('.svc-edge-label')].map(box);
  const texts = [...document.querySelectorAll('.svc-node-label, .svc-edge-label')].filter((el) => inView(box(el)));
  const smallestPx = Math.min(...texts.map((el) => parseFloat(getComputedStyle(el).fontSize) * zoom));
  const clipped = [...document.querySelectorAll('.svc-node-label, .svc-node-detail, .svc-node-badges, .svc-edge-label')]
    .filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => (el.textContent || '').trim());
  for (const b of document.querySelectorAll('.svc-node-badges .badge')) {
    const node = b.closest('.svc-node').getBoundingClientRect();
    const r = b.getBoundingClientRect();
    if (r.right > node.right + 0.5 || r.bottom > node.bottom + 0.5) clipped.push('badge ' + b.textContent);
  }
  const header = document.querySelector('.topbar');
  const tallest = Math.max(...[...header.children].map((c) => c.getBoundingClientRect().height));
  return { zoom, pane, nodes, labels, smallestPx, clipped, legend: box(document.querySelector('.legend')), header: { height: header.getBoundingClientRect().height, rows: Math.floor(header.getBoundingClientRect().height / (tallest + 6)) } };
})()`;

const measure = (page: Page): Promise<Measures> => page.evaluate(MEASURE) as Promise<Measures>;
const active = (page: Page, what: 'className' | 'id' | 'textContent'): Promise<string> => page.evaluate(`document.activeElement?.${what} ?? ''`) as Promise<string>;

const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

/** Pairs of (edge label, node or label) that overlap by more than a square pixel. */
function overlaps(m: Measures): string[] {
  const out: string[] = [];
  m.labels.forEach((l, i) => {
    for (const n of m.nodes) if (overlap(l, n) > 1) out.push(`label "${l.text}" on node "${n.text.slice(0, 40)}"`);
    for (const o of m.labels.slice(i + 1)) if (overlap(l, o) > 1) out.push(`label "${l.text}" on label "${o.text}"`);
  });
  return out;
}

const VIEWS = [
  { name: 'a Service', path: '/?snapshot=demo~worker-1&service=shop/frontend' },
  { name: 'a traced NodePort with affinity', path: '/?snapshot=demo~worker-1&service=shop/cart&src=203.0.113.2&dst=192.168.0.2&dport=30446&proto=tcp' },
  { name: 'kube-dns (three ports, four endpoints)', path: '/?snapshot=demo~worker-1&service=kube-system/kube-dns' },
];

describe('the picture, measured from the DOM', () => {
  for (const [width, height] of [[1440, 900], [1280, 800]] as const) {
    for (const v of VIEWS) {
      it(`${v.name} at ${width}×${height}: readable, nothing on top of anything, nothing clipped`, async () => {
        const page = await open(v.path, width, height);
        const m = await measure(page);
        console.log(`[picture] ${v.name} ${width}x${height}: zoom ${m.zoom.toFixed(3)}, smallest text ${m.smallestPx.toFixed(1)} px, ${m.nodes.length} nodes, ${m.labels.length} edge labels`);
        expect(m.smallestPx).toBeGreaterThanOrEqual(12);
        expect(overlaps(m)).toEqual([]);
        expect(m.clipped).toEqual([]);
        expect(overlap(m.legend, m.pane)).toBe(0);
        expect(m.header.rows).toBe(1);
        // Drawn from the layout the server sent (its estimate holds these fonts), without the
        // browser loading ELK for it (apps/web/src/layout/layout-client.ts marks each layout it asks for).
        expect(await page.evaluate(`performance.getEntriesByType('mark').filter((x) => x.name.startsWith('svcpath:layout-asked')).length`)).toBe(0);
        await page.close();
      });
    }
  }

  it('"Fit all" shows every node in the pane', async () => {
    const page = await open('/?snapshot=demo~worker-1&service=kube-system/kube-dns', 1280, 800);
    await page.getByRole('button', { name: 'Fit all' }).click();
    await page.waitForTimeout(400);
    const m = await measure(page);
    const outside = m.nodes.filter((n) => n.x < m.pane.x - 1 || n.y < m.pane.y - 1 || n.x + n.w > m.pane.x + m.pane.w + 1 || n.y + n.h > m.pane.y + m.pane.h + 1);
    expect(outside.map((n) => n.text)).toEqual([]);
    await page.close();
  });

  it('a first connection and a returning client are drawn apart; the outcome share is printed once', async () => {
    const page = await open('/?snapshot=demo~worker-1&service=shop/cart&src=203.0.113.2&dst=192.168.0.2&dport=30446&proto=tcp', 1440, 900);
    // The returning-client edges exist but are not lit for a first connection.
    expect(await page.locator('.svc-edge-label.affinity', { hasText: 'returning client' }).count()).toBe(2);
    expect(await page.locator('.svc-edge-label.affinity.lit').count()).toBe(0);
    expect(await page.locator('.svc-edge-label.lit', { hasText: 'returning client' }).count()).toBe(0);
    // Shares on the outcomes (endpoints), not on every chain crossed.
    expect(await page.locator('.svc-node.lit .svc-node-share').allTextContents()).toEqual(['50%', '50%']);
    await page.close();
  });
});

describe('inspector and keyboard', () => {
  it('a click opens the inspector in view beside the graph; Escape closes it', async () => {
    const page = await open('/?snapshot=demo~worker-1&service=shop/frontend', 1280, 800);
    await page.locator('.svc-node', { hasText: 'KUBE-SVC-PY4JZH2ITZYEO4CN' }).click();
    const inspector = page.getByRole('region', { name: 'Selected node' });
    await inspector.getByText('L151').waitFor();
    const box = (await inspector.boundingBox())!;
    const pane = (await page.locator('.graph-canvas').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(pane.x + pane.width - 1);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + 120).toBeLessThan(800);
    expect(await inspector.locator('.rule-raw .tok-target').first().textContent()).toMatch(/^-j /);
    await inspector.getByRole('button', { name: 'Trace a packet through here' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => inspector.count()).toBe(0);
    expect(page.url()).not.toContain('node=');
    await page.close();
  });

  it('Tab reaches the skip link first; nodes take focus with a visible ring, arrows follow edges, Enter inspects', async () => {
    const page = await open('/?snapshot=demo~worker-1&service=shop/frontend', 1280, 800);
    await page.keyboard.press('Tab');
    expect(await active(page, 'className')).toBe('skip-link');
    await page.keyboard.press('Enter');
    await expect.poll(() => active(page, 'id')).toBe('side-panels');

    await page.locator('.react-flow__node', { hasText: 'KUBE-SVC-PY4JZH2ITZYEO4CN' }).focus();
    const ring = await page.evaluate("getComputedStyle(document.activeElement.querySelector('.svc-node')).outlineStyle");
    expect(ring).toBe('solid');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => active(page, 'textContent')).toMatch(/KUBE-SEP-/);
    const first = await active(page, 'textContent');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => active(page, 'textContent')).not.toBe(first);
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => active(page, 'textContent')).toMatch(/KUBE-SVC-PY4JZH2ITZYEO4CN/);
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Selected node' }).getByText('L151').waitFor();
    await page.close();
  });

  it('loaded with no script errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
