import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleset } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { readDumps, scanTexts } from './read-dumps';

// A clean iptables-save dump (what the scan takes), a paste the scan leaves to the full parser
// (`-I` lines), and an nft ruleset.
const SAVE = '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n-A PREROUTING -m comment --comment "zürich" -j KUBE-SERVICES\nCOMMIT\n';
const PASTE = '*nat\n:PREROUTING ACCEPT [0:0]\n-I PREROUTING -j ACCEPT\nCOMMIT\n';
const NFT = 'table ip kube-proxy {\n\tchain services {\n\t}\n}\n';

const dir = mkdtempSync(join(tmpdir(), 'svcpath-read-dumps-'));
const io = { stdout: { write: () => true }, stderr: { write: () => true }, cwd: dir };
const rules = (files: Parameters<typeof loadRuleset>[0]) => [...loadRuleset(files).ruleset!.chains.values()].map((c) => ({ id: c.id, rules: c.rules.map((r) => [r.raw, r.comment, r.span]) }));

describe('readDumps and scanTexts', () => {
  it('scan a node\'s one iptables-save file or text, from its bytes, with the rules the full parser reads', () => {
    writeFileSync(join(dir, 'save.txt'), SAVE);
    for (const whole of [false, true]) {
      const [file] = readDumps(io, ['save.txt'], { whole });
      expect(file!.scanned).toBeDefined();
      expect(rules([file!])).toEqual(rules([{ name: 'save.txt', text: SAVE }]));
    }
    const [text] = scanTexts([{ name: 'save.txt', text: SAVE }]);
    expect(text).toMatchObject({ name: 'save.txt', text: SAVE });
    expect(text!.scanned).toBeDefined();
    expect(rules([text!])).toEqual(rules([{ name: 'save.txt', text: SAVE }]));
  });

  it('leave as text what the scan does not take: a paste, several iptables files, other formats', () => {
    writeFileSync(join(dir, 'paste.txt'), PASTE);
    expect(readDumps(io, ['paste.txt'], { whole: true })).toEqual([{ name: 'paste.txt', text: PASTE }]);
    const texts = [{ name: 'paste.txt', text: PASTE }, { name: 'nft.txt', text: NFT }];
    expect(scanTexts(texts)).toEqual(texts);
    const two = [{ name: 'a.txt', text: SAVE }, { name: 'b.txt', text: SAVE }];
    expect(scanTexts(two)).toEqual(two);
    // The paste is an iptables text too: two of them are merged by the full parser, neither scanned.
    expect(scanTexts([...texts, { name: 'save.txt', text: SAVE }]).map((f) => f.scanned !== undefined)).toEqual([false, false, false]);
  });
});
