/**
 * Every parser must take time linear in its input (issue 16: one 960 KB rule took 7 s). For each
 * parser this script builds an input, then the same input twice and four times as large, times each
 * (CPU time of this process, median of 3) and prints how the time grows per doubling (the square root
 * of the 4n/n ratio); roughly ×2 is
 * linear, ×4 is quadratic. A script, not a timed test: `npm run bench linearity`. Exits 1 when a
 * parser grows more than ×3 per doubling, so it can be run as a check on an idle machine.
 * LINEARITY_SCALE multiplies every input size (default 1).
 */
import { parseIptablesSave, parseRuleBody, tokenize } from '@svcpath/parse-iptables';
import { parseIpset, parseIpvsadm } from '@svcpath/parse-ipvs';
import { parseNftJson, parseNftText } from '@svcpath/parse-nft';
import { median } from './measure';

const SCALE = Number(process.env.LINEARITY_SCALE ?? 1);
const LIMIT = 3;

const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

/** An input of size n for each parser, and how to parse it. */
const CASES: { name: string; base: number; input: (n: number) => string; parse: (text: string) => unknown }[] = [
  {
    name: 'iptables-save, n rules (every rule checked)',
    base: 20_000,
    input: (n) =>
      `*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n${lines(n, (i) => `-A KUBE-SERVICES -d ${ip(i)}/32 -p tcp -m comment --comment "ns/svc-${i}:http" -m tcp --dport ${i % 60000} -j KUBE-SVC-${i}`)}\nCOMMIT\n`,
    parse: (text) => parseIptablesSave(text, { file: 'x' }),
  },
  {
    name: 'one iptables rule of n options owned by its first module',
    base: 40_000,
    input: (n) => `-m tcp ${'-m comment '.repeat(n)}${Array.from({ length: n }, (_, i) => `--dport ${i % 65535}`).join(' ')} -j ACCEPT`,
    parse: (text) => parseRuleBody(tokenize(text).tokens),
  },
  {
    name: 'one iptables rule of n quoted comments',
    base: 40_000,
    input: (n) => `${Array.from({ length: n }, (_, i) => `-m comment --comment "c \\"${i}\\" x"`).join(' ')} -j ACCEPT`,
    parse: (text) => parseRuleBody(tokenize(text).tokens),
  },
  {
    name: 'nft list ruleset, n chains',
    base: 5_000,
    input: (n) =>
      `table ip t {\n${lines(n, (i) => `\tchain c${i} {\n\t\tip daddr ${ip(i)} tcp dport ${i % 60000} counter packets 0 bytes 0 jump c${i + 1}\n\t}`)}\n\tchain c${n} {\n\t}\n}\n`,
    parse: (text) => parseNftText(text, { file: 'x' }),
  },
  {
    name: 'one nft rule with an anonymous set of n elements',
    base: 10_000,
    input: (n) => `table ip t {\n\tchain c {\n\t\tip daddr { ${Array.from({ length: n }, (_, i) => ip(i)).join(', ')} } accept\n\t}\n}\n`,
    parse: (text) => parseNftText(text, { file: 'x' }),
  },
  {
    name: 'nft -j list ruleset, n rules',
    base: 5_000,
    input: (n) =>
      JSON.stringify({
        nftables: [
          { table: { family: 'ip', name: 't', handle: 1 } },
          { chain: { family: 'ip', table: 't', name: 'c', handle: 2 } },
          ...Array.from({ length: n }, (_, i) => ({
            rule: { family: 'ip', table: 't', chain: 'c', handle: i + 3, expr: [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: ip(i) } }, { accept: null }] },
          })),
        ],
      }),
    parse: (text) => parseNftJson(text, { file: 'x' }),
  },
  {
    name: 'ipvsadm -Sn, n virtual services × 2 real servers',
    base: 10_000,
    input: (n) => `${lines(n, (i) => `-A -t ${ip(i)}:80 -s rr\n-a -t ${ip(i)}:80 -r ${ip(i + 1)}:8080 -m -w 1\n-a -t ${ip(i)}:80 -r ${ip(i + 2)}:8080 -m -w 1`)}\n`,
    parse: (text) => parseIpvsadm(text, { file: 'x' }),
  },
  {
    name: 'ipset save, n members',
    base: 40_000,
    input: (n) => `create S hash:ip,port family inet hashsize 1024 maxelem 1048576\n${lines(n, (i) => `add S ${ip(i)},tcp:${i % 60000}`)}\n`,
    parse: (text) => parseIpset(text, { file: 'x' }),
  },
];

function cpuMs(f: () => unknown): number {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    runs.push((c.user + c.system) / 1000);
  }
  return median(runs);
}

let failed = 0;
console.log('parser: time at n, 2n, 4n (CPU ms, median of 3) → growth per doubling');
for (const c of CASES) {
  const n = Math.max(1, Math.round(c.base * SCALE));
  c.parse(c.input(n)); // warm the JIT first
  const times = [n, 2 * n, 4 * n].map((size) => {
    const text = c.input(size);
    return cpuMs(() => c.parse(text));
  });
  // Per doubling, over two doublings (one step alone is too noisy on a shared machine).
  const growth = Math.sqrt(times[2]! / times[0]!);
  const verdict = growth > LIMIT ? 'NOT LINEAR' : 'linear';
  if (growth > LIMIT) failed++;
  console.log(`${c.name} (n=${n}): ${times.map((t) => t.toFixed(0)).join(', ')} ms → ×${growth.toFixed(2)} ${verdict}`);
}
console.log(failed ? `${failed} parser(s) grew faster than ×${LIMIT} per doubling` : `every parser grew at most ×${LIMIT} per doubling`);
process.exitCode = failed ? 1 : 0;
