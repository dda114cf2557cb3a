import type { FindingsResult } from '../api/types';
import { useFindingTally } from './finding-tally';
import { NamespaceGrid } from './NamespaceGrid';
import { NamespaceServices } from './NamespaceServices';

/**
 * Snapshots with more Services than this open on the aggregated views (namespaces, then a
 * namespace's list) instead of the overview graph: past a few dozen Service nodes the graph is no
 * longer something a person reads.
 */
export const OVERVIEW_GRAPH_MAX_SERVICES = 50;

export interface OverviewPaneProps {
  readonly snapshot: string;
  /** The namespace drilled into, or undefined for all of them. */
  readonly namespace: string | undefined;
  readonly findings: FindingsResult | undefined;
  readonly findingsFailed: boolean;
  readonly onOpenNamespace: (ns: string) => void;
  readonly onOpenService: (id: string) => void;
  /** A Service's row may be opened next (pointer resting on it, focus), or not any more. */
  readonly onPreviewService?: ((id: string, near: boolean) => void) | undefined;
}

/** The aggregated views of a big snapshot, in the graph's place. */
export function OverviewPane(p: OverviewPaneProps) {
  const tally = useFindingTally(p.findings, p.findingsFailed);
  return (
    <div className="overview-pane">
      {p.namespace ? (
        <NamespaceServices snapshot={p.snapshot} namespace={p.namespace} tally={tally} onOpen={p.onOpenService} onPreview={p.onPreviewService} />
      ) : (
        <NamespaceGrid snapshot={p.snapshot} tally={tally} onOpen={p.onOpenNamespace} />
      )}
    </div>
  );
}
