import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource, scanIptablesSave } from '@svcpath/parse-iptables';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { chainLines, chainsInOrder, jumpsByGraph, linesOfChain } from './chain-lines';
import { diagnose } from './diagnose';
import { WEB, endpointSlice, input, renderRules, service, type SvcSpec } from './scenario.fixture';

/** `text` as the CLI's doctor reads a single iptables-save file: scanned, each chain's rules read when asked. */
function scanned(text: string): Ruleset {
  const r = scanIptablesSave(bytesSource(Buffer.from(text, 'latin1')), { file: 'iptables-save.txt' });
  if ('refused' in r) throw new Error(`the scan refused the dump: ${r.refused}`);
  return loadRuleset([{ name: 'iptables-save.txt', text: r.head, scanned: r }]).ruleset!;
}

const parsed = (text: string): Ruleset => loadRuleset([{ name: 'iptables-save.txt', text }]).ruleset!;

const API: SvcSpec = { ns: 'shop', name: 'api', clusterIP: '10.96.0.30', ports: [{ name: 'grpc', port: 9090, targetPort: 9090, protocol: 'TCP' }] };
const EMPTY: SvcSpec = { ns: 'shop', name: 'empty', clusterIP: '10.96.0.40', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] };
const state = {
  services: [service(WEB), service(API), service(EMPTY)],
  endpointSlices: [
    endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }, { ip: '10.244.2.6', node: 'node-c' }], { http: 8080 }),
    endpointSlice(API, [{ ip: '10.244.1.9', node: 'node-b' }], { grpc: 9090 }),
    endpointSlice(EMPTY, [], { http: 8080 }),
  ],
};
const text = renderRules(state).text;
const ladderOf = (t: string, comment: string) => new RegExp(`^-A (KUBE-SVC-[A-Z0-9]{16}) .*"${comment}`, 'm').exec(t)![1]!;
const web = ladderOf(text, 'shop/web:http');
const api = ladderOf(text, 'shop/api:grpc');
const apiSep = new RegExp(`^-A ${api} .*-j (KUBE-SEP-[A-Z0-9]{16})`, 'm').exec(text)![1]!;
const webSep = new RegExp(`^-A ${web} .*-j (KUBE-SEP-[A-Z0-9]{16})`, 'm').exec(text)![1]!;
const lines = text.split('\n');
const OVERALL = join(import.meta.dirname, '../../tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt');

// Dumps whose answers the lines decide differently from the rules if either reads them wrong.
const cases: { name: string; text: string; lines: boolean }[] = [
  { name: 'as kube-proxy wrote it', text, lines: true },
  // `iptables -t nat -F KUBE-SVC-…`: DRIFT_EMPTY_LADDER.
  { name: 'a flushed KUBE-SVC chain', text: lines.filter((l) => !l.startsWith(`-A ${web} `)).join('\n'), lines: true },
  // Its ladder still names a KUBE-SEP chain, one the dump lacks: not empty (the ruleset adds the
  // missing chain, so its chains are no longer the scan's, and the rules are read, not lines).
  { name: 'a ladder whose KUBE-SEP chain is missing', text: lines.filter((l) => !l.startsWith(`-A ${apiSep} `) && l !== `:${apiSep} - [0:0]`).join('\n'), lines: false },
  // The no-endpoints index reads every chain's comments, not only the chains kube-proxy writes them in.
  {
    name: 'a "has no endpoints" comment in a KUBE-SEP chain',
    text: lines.map((l) => (l.startsWith(`-A ${webSep} `) && l.includes('KUBE-MARK-MASQ') ? `${l}\n-A ${webSep} -m comment --comment "shop/empty:http has no endpoints" -j RETURN` : l)).join('\n'),
    lines: true,
  },
  { name: 'a KUBE-SEP chain without its hairpin rule', text: lines.filter((l) => !(l.startsWith(`-A ${webSep} `) && l.includes('KUBE-MARK-MASQ'))).join('\n'), lines: true },
  // Its chains jump to chains it does not hold, which the ruleset adds: read by rules, like the last but one.
  { name: "kube-proxy's conformance dump (TestOverallIPTablesRules)", text: readFileSync(OVERALL, 'latin1'), lines: false },
];

describe('the doctor over a scanned dump', () => {
  it.each(cases)('finds what it finds over the parsed dump: $name', ({ text: t, lines: byLines }) => {
    const rs = scanned(t);
    expect(chainLines(rs) !== null).toBe(byLines);
    const fromScan = diagnose(input(rs));
    expect(fromScan).toEqual(diagnose(input(parsed(t))));
    expect(diagnose(input(scanned(t), state))).toEqual(diagnose(input(parsed(t), state)));
    expect(fromScan.findings.length).toBeGreaterThan(0);
  });

  it('the cases reach the answers they are there for', () => {
    const codes = (t: string) => diagnose(input(scanned(t))).findings.map((f) => `${f.code} ${f.service ?? ''}`);
    expect(codes(cases[1]!.text)).toContain('DRIFT_EMPTY_LADDER shop/web:http');
    expect(codes(cases[2]!.text).filter((c) => c.startsWith('DRIFT_EMPTY_LADDER'))).toEqual([]);
    const noEndpoints = diagnose(input(scanned(cases[3]!.text))).findings.find((f) => f.code === 'SVC_NO_ENDPOINTS')!;
    expect(noEndpoints.evidence.some((e) => e.kind === 'rule' && e.chain === `nat/${webSep}`)).toBe(true);
    expect(codes(cases[4]!.text)).toContain('HAIRPIN_NO_MASQUERADE shop/web:http');
  });
});

describe('chain-lines', () => {
  it('reads a scanned dump by number; a parsed one has no lines', () => {
    const rs = scanned(text);
    expect(chainsInOrder(rs)).toEqual([...rs.chains.values()]);
    expect(chainsInOrder(rs)).toBe(chainsInOrder(rs));
    const ladder = rs.chains.get(`nat/${web}`)!;
    const read = linesOfChain(rs, ladder)!;
    expect(Array.from({ length: read.count }, (_, i) => read.jumpTarget(i))).toEqual(ladder.rules.map((r) => r.jumpTarget?.() ?? null));
    expect(jumpsByGraph(rs, ladder, (name) => name.startsWith('KUBE-SEP-'))).toBe(true);
    expect(jumpsByGraph(rs, ladder, (name) => name === 'KUBE-SERVICES')).toBe(false);
    const p = parsed(text);
    expect(chainLines(p)).toBeNull();
    expect(linesOfChain(p, p.chains.get(`nat/${web}`)!)).toBeNull();
    expect(jumpsByGraph(p, p.chains.get(`nat/${web}`)!, () => true)).toBeNull();
  });
});
