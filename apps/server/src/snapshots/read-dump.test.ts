import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readDump } from './read-dump';
import { postableFiles, receivedFiles, sharedText, withSharedText } from './shared-text';

const body = (chunks: readonly Uint8Array[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('readDump', () => {
  it('keeps the bytes in shared memory, the same text as decoding them, a character split across chunks included', async () => {
    const text = `-A X -m comment --comment "grüße ${'x'.repeat(200)}" -j ACCEPT\n`.repeat(50);
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // inside ü
    const d = await readDump(body([bytes.subarray(0, cut), bytes.subarray(cut, 3000), bytes.subarray(3000)]), { expected: 100 });
    expect(d.shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(d.shared.length).toBe(bytes.length);
    expect(sharedText(d.shared)).toBe(text);
  });

  it('keeps a body of many chunks whole, characters split at every chunk boundary included', async () => {
    const line = `-A X -m comment --comment "grüße ✓ ${'x'.repeat(100)}" -j ACCEPT\n`;
    const text = line.repeat(Math.ceil((3 * 1024 * 1024) / line.length));
    const bytes = Buffer.from(text, 'utf8');
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 65_537) chunks.push(bytes.subarray(at, at + 65_537));
    const d = await readDump(body(chunks));
    expect(sharedText(d.shared) === text).toBe(true);
  });

  it('reads a byte-order mark away in the workers as the text does', async () => {
    const d = await readDump(body([new Uint8Array([0xef, 0xbb, 0xbf]), Buffer.from('*nat\nCOMMIT\n')]));
    expect(sharedText(d.shared)).toBe('*nat\nCOMMIT\n');
  });

  it('hands workers the shared bytes instead of the text, and reads them back', async () => {
    const d = await readDump(body([Buffer.from('*nat\nCOMMIT\n')]));
    const posted = postableFiles([withSharedText({ name: 'a' }, d.shared), { name: 'b', text: 'plain' }]);
    expect(posted.map((f) => f.text)).toEqual(['', 'plain']);
    expect(receivedFiles(posted)).toEqual([
      { name: 'a', text: '*nat\nCOMMIT\n' },
      { name: 'b', text: 'plain' },
    ]);
  });

  it('gives the upload\'s text only when asked, once', async () => {
    const d = await readDump(body([Buffer.from('*nat\nCOMMIT\n')]));
    const f = withSharedText({ name: 'a' }, d.shared);
    expect(f.text).toBe('*nat\nCOMMIT\n');
    expect(f.text === f.text).toBe(true);
    expect({ ...f }).toEqual({ name: 'a', text: '*nat\nCOMMIT\n', shared: d.shared });
  });

  it('refuses bytes that are not UTF-8, empty bodies and bodies over the limit', async () => {
    await expect(readDump(body([]))).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: 'empty dump' });
    await expect(readDump(body([new Uint8Array([0xef, 0xbb, 0xbf])]))).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: 'empty dump' });
    await expect(readDump(body([new Uint8Array([0x2a, 0xff])]))).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    // A bad byte past the first piece decoded (see PIECE_BYTES): named by where it was read.
    const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
    big[2 * 1024 * 1024 + 5] = 0xff;
    const chunks = Array.from({ length: 48 }, (_, i) => big.subarray(i * 65_536, (i + 1) * 65_536));
    await expect(readDump(body(chunks))).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/byte \d+ or before/) });
    await expect(readDump(body([new Uint8Array(10), new Uint8Array(10)]), { limit: 15 })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });
});
