import { useEffect, useRef, useState } from 'react';
import type { ViewState } from './view-state';

/** The side column's tabs; `inspector` exists only while a node or edge is selected. */
export type SideTabId = 'inspector' | 'trace' | 'findings' | 'counters' | 'nodes' | 'changes';

/** The tab a view opens on: a selection shows its inspector, a finding in the URL its list. */
function initialTab(view: ViewState): SideTabId {
  if (view.node) return 'inspector';
  if (view.finding !== undefined) return 'findings';
  if (view.since) return 'counters';
  return 'trace';
}

/**
 * Which side tab is in front. Selecting a node brings the inspector forward at once (details where
 * the click was); closing it returns to the tab that was in front before.
 */
export function useSideTab(view: ViewState): [SideTabId, (tab: string) => void] {
  const [tab, setTab] = useState<SideTabId>(() => initialTab(view));
  const before = useRef<SideTabId>(tab === 'inspector' ? 'trace' : tab);
  useEffect(() => {
    if (view.node) {
      setTab((t) => {
        if (t !== 'inspector') before.current = t;
        return 'inspector';
      });
    } else setTab((t) => (t === 'inspector' ? before.current : t));
  }, [view.node]);
  return [tab, (t) => setTab(t as SideTabId)];
}
