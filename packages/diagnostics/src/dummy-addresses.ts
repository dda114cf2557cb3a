import type { DummyAddress } from './context';

/**
 * The addresses of kube-ipvs0 from `ip addr show dev kube-ipvs0` or `ip -o addr show kube-ipvs0`:
 * every `inet`/`inet6` address, with its line. Lines that are not addresses are ignored.
 */
export function parseDummyAddresses(text: string, file: string): DummyAddress[] {
  const out: DummyAddress[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /\binet6? ([0-9a-fA-F.:]+)\/\d+/.exec(line);
    if (m?.[1]) out.push({ address: m[1], file, line: i + 1 });
  });
  return out;
}
