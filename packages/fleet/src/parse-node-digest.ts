import { BUCKETS, type NodeDigest } from './model';

/**
 * A digest as text (a file, or a node Pod's log) checked for the fields the aggregation relies on.
 * A string says what is wrong; `where` names the source in it. Never throws.
 */
export function parseNodeDigest(text: string, where: string): NodeDigest | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `${where}: not valid JSON (${(e as Error).message})`;
  }
  if (typeof json !== 'object' || json === null) return `${where}: not a node digest`;
  const d = json as Partial<NodeDigest>;
  if (d.kind !== 'node-digest') return `${where}: not a node digest ("kind" is ${JSON.stringify(d.kind)})`;
  if (d.version !== 1) return `${where}: digest version ${String(d.version)}, this svcpath reads version 1`;
  if (typeof d.node !== 'string' || !d.node) return `${where}: "node" missing`;
  if (typeof d.mode !== 'string') return `${where}: "mode" missing`;
  const modeWithPorts = d.mode === 'iptables' || d.mode === 'nftables';
  if (modeWithPorts && (!Array.isArray(d.buckets) || d.buckets.length !== BUCKETS || d.buckets.some((b) => typeof b !== 'string')))
    return `${where}: "buckets" must be ${BUCKETS} hashes`;
  if (d.detail !== undefined && (typeof d.detail !== 'object' || !Array.isArray(d.detailBuckets))) return `${where}: "detail" needs "detailBuckets"`;
  return { notes: [], backend: null, portCount: 0, ...d } as NodeDigest;
}
