import { describeOutcome, formatShare } from '@svcpath/graph';
import webPackage from '../../package.json';
import type { SnapshotMeta, TraceResult } from '../api/types';
import type { Poster } from './svg-scene';

/** svcpath's version, printed on every exported picture. */
export const SVCPATH_VERSION: string = webPackage.version;

export interface PosterInput {
  readonly title: string;
  readonly meta: Pick<SnapshotMeta, 'collection' | 'node' | 'takenAt' | 'nodeIPs'> & { readonly context?: string | null; readonly cluster?: string | null };
  readonly trace: { readonly flow: { readonly src: string; readonly dst: string; readonly dport: number; readonly proto: string }; readonly result: TraceResult; readonly returningTo?: string | undefined; readonly source?: string } | null;
}

/** The words around an exported picture: which cluster, node and moment, and what was traced. */
export function posterOf(p: PosterInput): Poster {
  const where = [p.meta.cluster && `cluster ${p.meta.cluster}`, p.meta.context && `context ${p.meta.context}`, `collection ${p.meta.collection}`].filter(Boolean).join(' · ');
  const facts = [where, `node ${p.meta.node}${p.meta.nodeIPs.length ? ` (${p.meta.nodeIPs.join(', ')})` : ''} · snapshot taken ${p.meta.takenAt}`];
  const t = p.trace;
  return {
    title: p.title,
    facts,
    trace: t
      ? {
          packet: `${t.flow.proto} ${t.flow.src} → ${t.flow.dst}:${t.flow.dport}${t.source ? `, ${t.source}` : ''}${t.returningTo ? `, returning client of ${t.returningTo}` : ', first connection'}`,
          outcomes: t.result.outcomes.map((o) => ({ share: formatShare(o.probability), text: describeOutcome(o).replace(/^\d+(?:\.\d+)?% /, '') })),
        }
      : null,
    version: SVCPATH_VERSION,
  };
}
