/** One connection of `conntrack -L` (or `-L -o extended`): its original tuple and its reply's source. */
export interface ConntrackEntry {
  readonly proto: string;
  readonly origSrc: string;
  readonly origDst: string;
  readonly origDport: number;
  /** Where replies come from: the DNAT target when the connection was translated. */
  readonly replySrc: string;
  readonly replySport: number;
  readonly unreplied: boolean;
  readonly line: number;
  readonly raw: string;
}

const PROTOS = new Set(['tcp', 'udp', 'sctp', 'udplite', 'dccp']);

/**
 * Reads conntrack's text listing. Each line holds two tuples of `src= dst= sport= dport=`: the
 * original direction, then the reply direction. Lines that are not tcp/udp/sctp entries are skipped.
 */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const words = raw.trim().split(/\s+/);
    const proto = words.find((w) => PROTOS.has(w));
    if (!proto) return;
    const tuples: Record<string, string>[] = [];
    for (const w of words) {
      const m = /^(src|dst|sport|dport)=(.+)$/.exec(w);
      if (!m) continue;
      if (m[1] === 'src') tuples.push({});
      const t = tuples[tuples.length - 1];
      if (t) t[m[1]!] = m[2]!;
    }
    const [o, r] = tuples;
    if (!o?.src || !o.dst || !o.dport || !r?.src || !r.sport) return;
    out.push({
      proto,
      origSrc: o.src,
      origDst: o.dst,
      origDport: Number(o.dport),
      replySrc: r.src,
      replySport: Number(r.sport),
      unreplied: raw.includes('[UNREPLIED]'),
      line: i + 1,
      raw: raw.trim(),
    });
  });
  return out;
}
