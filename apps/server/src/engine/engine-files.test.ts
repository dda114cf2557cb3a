import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedFromText } from '../snapshots/shared-text';
import { engineFiles } from './engine-files';
import { RulesetQueries } from './ruleset-queries';

// kube-proxy's own expected dump for its TestOverallIPTablesRules (Apache-2.0; see the fixture folder's README).
const DUMP = readFileSync(join(import.meta.dirname, '../../../../packages/tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt'), 'utf8');

/** What a snapshot's load says (its parse time aside), and its Services' graph. */
function loaded(files: { name: string; text: string; shared?: Uint8Array }[]) {
  const q = new RulesetQueries();
  const { parseMs: _ms, ...summary } = q.load({ id: 's', version: '1', files }).summary;
  return { summary, overview: q.run('s', { kind: 'overview' }) };
}

describe('engineFiles', () => {
  it('scans a node\'s one iptables dump posted as shared bytes: the same load and overview as its text', () => {
    const files = [{ name: 'node.txt', text: '', shared: sharedFromText(DUMP)! }];
    const scanned = engineFiles(files);
    expect(scanned[0]!.scanned).toBeDefined();
    expect(loaded(files)).toEqual(loaded([{ name: 'node.txt', text: DUMP }]));
  });

  it('reads as text what the scan leaves to the full parser, and files that are not shared', () => {
    const paste = `[5:300] -A KUBE-SERVICES -j KUBE-NODEPORTS\n${DUMP}`;
    expect(engineFiles([{ name: 'p.txt', text: '', shared: sharedFromText(paste)! }])[0]).toEqual({ name: 'p.txt', text: paste });
    expect(engineFiles([{ name: 't.txt', text: DUMP }])[0]).toEqual({ name: 't.txt', text: DUMP });
  });

  it('reads two iptables dumps as text: they are merged chain by chain', () => {
    const files = ['a', 'b'].map((n) => ({ name: n, text: '', shared: sharedFromText(DUMP)! }));
    expect(engineFiles(files).map((f) => f.scanned)).toEqual([undefined, undefined]);
  });
});
