import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../start-server';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, collections: [], timeouts: { headersMs: 1000, requestMs: 1500 } });
});
afterAll(() => server.close());

/** Sends `text` on a raw connection and resolves with what came back and when the server closed it. */
function stall(text: string): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const sock = connect(server.port, '127.0.0.1', () => sock.write(text));
    let reply = '';
    sock.setEncoding('utf8').on('data', (d: string) => (reply += d));
    sock.on('error', reject);
    sock.on('close', () => resolve({ reply, ms: performance.now() - t0 }));
    setTimeout(() => reject(new Error('the server kept the stalled connection open')), 10_000).unref();
  });
}

describe('request timeouts (issue 16)', () => {
  it('a body announced as 100 MB of which 3 bytes arrive is answered 408 and dropped', async () => {
    const r = await stall(`POST /api/snapshots HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: text/plain\r\nContent-Length: 100000000\r\n\r\nabc`);
    expect(r.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(r.ms).toBeLessThan(5000);
  });

  it('headers that never end are dropped too', async () => {
    const r = await stall(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `);
    expect(r.reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('an ordinary request still answers', async () => {
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});
