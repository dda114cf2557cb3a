import { describe, expect, it } from 'vitest';
import { KeptJson } from './kept-json';

describe('KeptJson', () => {
  it('makes an answer once per key and gives the same text after', async () => {
    const kept = new KeptJson();
    let made = 0;
    const make = async () => ({ findings: [{ code: 'A', n: ++made }] });
    const first = await kept.get('a', make);
    expect(first).toBe('{"findings":[{"code":"A","n":1}]}');
    expect(await kept.get('a', make)).toBe(first);
    expect(await kept.get('b', make)).toBe('{"findings":[{"code":"A","n":2}]}');
    expect(made).toBe(2);
  });

  it('keeps no failure', async () => {
    const kept = new KeptJson();
    await expect(kept.get('a', () => Promise.reject(new Error('engine failed')))).rejects.toThrow('engine failed');
    expect(await kept.get('a', async () => 1)).toBe('1');
  });

  it('keeps the newest answers up to its size, the least recently asked going first', async () => {
    const kept = new KeptJson(20);
    let made = 0;
    const make = (text: string) => async () => (made++, text);
    for (const k of ['a', 'b']) await kept.get(k, make(`${k}`.repeat(6))); // 8 bytes each as JSON
    await kept.get('a', make('x'));
    await kept.get('c', make('cccccc')); // 24 > 20: b, the least recently asked, goes
    expect(made).toBe(3);
    await kept.get('a', make('x'));
    expect(made).toBe(3);
    await kept.get('b', make('bbbbbb'));
    expect(made).toBe(4);
    // Bigger than the whole size: answered, not kept.
    expect(await kept.get('big', make('y'.repeat(30)))).toBe(JSON.stringify('y'.repeat(30)));
    await kept.get('big', make('y'.repeat(30)));
    expect(made).toBe(6);
  });
});
