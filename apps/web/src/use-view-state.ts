import { useCallback, useSyncExternalStore } from 'react';
import { formatView, parseView, type ViewState } from './view-state';

const listeners = new Set<() => void>();
let cached: { search: string; view: ViewState } = { search: '', view: {} };

function snapshot(): ViewState {
  if (cached.search !== window.location.search) cached = { search: window.location.search, view: parseView(window.location.search) };
  return cached.view;
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  window.addEventListener('popstate', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', fn);
  };
}

export type SetView = (patch: Partial<Record<keyof ViewState, ViewState[keyof ViewState] | undefined>>, mode?: 'push' | 'replace') => void;

/** The view held in the URL; `setView` patches it (undefined clears a key) and notifies every reader. */
export function useViewState(): [ViewState, SetView] {
  const view = useSyncExternalStore(subscribe, snapshot);
  const setView = useCallback<SetView>((patch, mode = 'push') => {
    const next = { ...parseView(window.location.search), ...patch } as ViewState;
    const url = `${window.location.pathname}${formatView(next)}`;
    if (mode === 'push') window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
    for (const fn of listeners) fn();
  }, []);
  return [view, setView];
}
