import { execFileSync } from 'node:child_process';
import { copyFile, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sshLabUnavailable, startSshLab, type SshLab } from '../../../collector/src/node/testing/ssh-lab';
import { startServer, type RunningServer } from '../start-server';

vi.setConfig({ testTimeout: 120_000, expect: { poll: { timeout: 30_000, interval: 100 } } });

/**
 * The Collect… dialog in Debian's Chromium against a REAL sshd in a network namespace the test made
 * (apps/collector's ssh lab): a node whose key changed, a node the server has never seen (its
 * fingerprint and an explicit trust step, then a collection), and a port nothing answers on. Each
 * failure says why and what to do, and adds no snapshot. The server is this one, with its own home:
 * ~/.ssh/config names the lab's nodes, ~/.ssh/known_hosts is the test's, no kubeconfig (the
 * cluster read fails, so a collection is partial and says so).
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const unavailable = sshLabUnavailable();

describe.skipIf(unavailable !== undefined)('the Collect… dialog against a real sshd', () => {
  let lab: SshLab;
  let home: string;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    lab = await startSshLab();
    home = await mkdtemp(join(tmpdir(), 'svcpath-collect-ui-'));
    await mkdir(join(home, '.ssh'), { mode: 0o700 });
    await copyFile(lab.keys.plain, join(home, '.ssh', 'id_lab'));
    await chmod(join(home, '.ssh', 'id_lab'), 0o600);
    // A port in the target's namespace that nothing listens on: refused at once, nothing leaves the lab.
    const closed = lab.target.port === 20_000 ? 20_001 : 20_000;
    const block = (alias: string, port: number) => `Host ${alias}\n  HostName ${lab.target.address}\n  Port ${port}\n  User root\n  IdentityFile ~/.ssh/id_lab\n`;
    await writeFile(join(home, '.ssh', 'config'), [block('changed-node', lab.target.port), block('closed-node', closed)].join('\n'));
    // changed-node: the target's address and port, with another host's key (as if reinstalled).
    await writeFile(join(home, '.ssh', 'known_hosts'), `${await lab.knownHostsLine(lab.target.address, lab.target.port, lab.bastion.hostKey)}\n`);
    vi.stubEnv('HOME', home);
    vi.stubEnv('SSH_AUTH_SOCK', '');
    vi.stubEnv('KUBECONFIG', join(home, 'no-kubeconfig'));
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'apps/web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    server = await startServer({ port: 0, collections: [join(ROOT, 'apps/server/demo')], store: join(home, 'store'), webDist: join(ROOT, 'apps/web/dist') });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await lab?.cleanup();
    if (home) await rm(home, { recursive: true, force: true });
    vi.unstubAllEnvs();
  });

  const snapshotIds = async (): Promise<string[]> => ((await (await fetch(`${server.url}/api/snapshots`)).json()) as { snapshots: { id: string }[] }).snapshots.map((s) => s.id).sort();

  async function openDialog(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Collect…' }).click();
    await page.getByRole('dialog', { name: 'Collect from a node' }).waitFor();
    return page;
  }

  async function collect(page: Page, node: string, host: string): Promise<void> {
    await dialog(page).locator('input[name="collect-node"]').fill(node);
    await dialog(page).locator('input[name="collect-host"]').fill(host);
    await dialog(page).locator('.dialog-actions button[type="submit"]').click();
  }

  const dialog = (page: Page) => page.locator('dialog[aria-label="Collect from a node"]');
  const failure = (page: Page) => dialog(page).locator('.collect-failure');

  it('a changed host key: refused with its reason and what to do, no trust step, no snapshot', async () => {
    const before = await snapshotIds();
    const page = await openDialog();
    await collect(page, 'worker-9', 'changed-node');
    await expect.poll(async () => failure(page).isVisible()).toBe(true);
    const text = await failure(page).innerText();
    expect(text).toContain('host-key-changed');
    expect(text).toMatch(/different key than the server knows/);
    expect(text).toContain('No snapshot was added');
    expect(await dialog(page).locator('.accept-key').count()).toBe(0);
    expect(await dialog(page).locator('.dialog-actions button[type="submit"]').innerText()).toBe('Collect again');
    expect(await snapshotIds()).toEqual(before);
    await page.close();
  });

  it('a port nothing answers on: connect-failed with advice, no snapshot; the input can be fixed and retried', async () => {
    const before = await snapshotIds();
    const page = await openDialog();
    await collect(page, 'worker-9', 'closed-node');
    await expect.poll(async () => failure(page).isVisible()).toBe(true);
    const text = await failure(page).innerText();
    expect(text).toMatch(/connect-failed|connect-timeout/);
    expect(text).toMatch(/Check the SSH host and port|did not answer/);
    expect(await snapshotIds()).toEqual(before);
    // The fields keep what was typed, so the user fixes one and collects again.
    expect(await dialog(page).locator('input[name="collect-node"]').inputValue()).toBe('worker-9');
    expect(await dialog(page).locator('.dialog-actions button[type="submit"]').isEnabled()).toBe(true);
    await page.close();
  });

  it('an unknown host: its fingerprint and an explicit trust step, then a partial snapshot that says why', async () => {
    // The server has never seen the node: known_hosts holds nothing for it any more.
    await writeFile(join(home, '.ssh', 'known_hosts'), '');
    const before = await snapshotIds();
    const page = await openDialog();
    await collect(page, 'worker-9', 'changed-node');
    await expect.poll(async () => failure(page).isVisible()).toBe(true);
    const presented = lab.fingerprint(lab.target.hostKeys.ed25519);
    const text = await failure(page).innerText();
    expect(text).toContain('host-key-unknown');
    expect(text).toContain(presented);
    expect(await snapshotIds()).toEqual(before);
    await dialog(page).locator('.accept-key input[type="checkbox"]').check();
    const submit = dialog(page).locator('.dialog-actions button[type="submit"]');
    expect(await submit.innerText()).toBe('Trust the key and collect again');
    await submit.click();
    const open = dialog(page).locator('.dialog-actions button', { hasText: /^Open / });
    await open.waitFor({ timeout: 60_000 });
    const status = await page.getByRole('status', { name: 'Collection progress' }).innerText();
    expect(status).toMatch(/Collected \(partial\) worker-9/);
    // No kubeconfig here: the node's rules came, the cluster did not, and the dialog lists why.
    expect(status).toMatch(/cluster/i);
    const after = await snapshotIds();
    expect(after.length).toBe(before.length + 1);
    const id = after.find((a) => !before.includes(a))!;
    expect(id).toMatch(/worker-9$/);
    const doc = (await (await fetch(`${server.url}/api/snapshots/${encodeURIComponent(id)}/export`)).json()) as { problems: { source: string }[]; files: unknown[] };
    expect(doc.problems.some((p) => p.source === 'cluster')).toBe(true);
    expect(doc.files.length).toBeGreaterThan(0);
    await page.close();
  });
});
