import type { MatrixPacket, MatrixResult } from './matrix-types';

/** A share as the table shows it: one decimal, "–" for none (so the eye finds the differences). */
export function shareText(share: number): string {
  return share === 0 ? '–' : `${(share * 100).toFixed(1)} %`;
}

/** The sentence above the table: who judged the nodes, in the words of this panel. */
export function judgementText(r: Pick<MatrixResult, 'judgedBy' | 'nodes' | 'findings'>): string {
  const odd = [...new Set(r.findings.flatMap((f) => (f.node ? [f.node] : [])))];
  if (r.findings.length === 0) return r.judgedBy === 'cluster-state' ? 'Every node programs its Services as the cluster state says.' : 'Every node programs its Services the same way.';
  if (r.judgedBy === 'cluster-state') return `Judged against the cluster state: ${odd.join(', ')} ${odd.length === 1 ? 'disagrees' : 'disagree'} with the EndpointSlices.`;
  if (odd.length === 0)
    return `The nodes differ, and without the cluster state ${r.nodes.length === 2 ? 'two nodes' : 'equal groups of nodes'} cannot be ranked. Collect the nodes again with the cluster read (Collect…, kubeconfig context) to name the one that is wrong.`;
  return `Judged by the majority of the nodes (no cluster state): ${odd.join(', ')} ${odd.length === 1 ? 'differs' : 'differ'}.`;
}

/**
 * Reads the form's fields into a packet, or says which field is wrong, naming it as the form
 * labels it (From, To, Port).
 */
export function packetOfForm(f: { readonly from: string; readonly to: string; readonly port: string; readonly proto: string }): MatrixPacket | { readonly error: string } {
  const from = f.from.trim();
  const to = f.to.trim();
  const ip = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;
  if (from !== 'node' && !ip.test(from)) return { error: 'From: give an IP address, or "node" to send from each node itself.' };
  if (!ip.test(to)) return { error: 'To: give the destination IP address (a cluster IP, a node IP for a NodePort, a load-balancer IP).' };
  const port = Number(f.port);
  if (!/^\d+$/.test(f.port.trim()) || port < 1 || port > 65535) return { error: 'Port: give a number from 1 to 65535.' };
  const proto = f.proto === 'udp' || f.proto === 'sctp' ? f.proto : 'tcp';
  return { src: from, dst: to, dport: port, proto };
}
