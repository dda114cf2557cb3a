import { lazy, type ComponentType } from 'react';
import type { GraphViewProps } from './flow/GraphView';
import type { InspectorProps } from './inspector/Inspector';
import { warmMeasureText } from './layout/measure-text';

/**
 * A view whose code loads when first shown (React.lazy), or earlier through `preload`. Once loaded,
 * it renders at once: React.lazy suspends on the first render whenever its promise has not settled
 * before, and an already loaded module's promise has not (its callbacks run later), so the first
 * render is handed a thenable that answers synchronously instead, and no fallback is committed.
 */
function preloadable<P extends object>(load: () => Promise<ComponentType<P>>) {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  const preload = (): Promise<ComponentType<P>> => {
    loading ??= load().then((c) => (loaded = c));
    loading.catch(() => (loading = undefined));
    return loading;
  };
  const Component = lazy<ComponentType<P>>(() => {
    const ready = loaded;
    if (ready) return { then: (resolve: (m: { default: ComponentType<P> }) => void) => resolve({ default: ready }) } as Promise<{ default: ComponentType<P> }>;
    return preload().then((c) => ({ default: c }));
  });
  return { Component, preload };
}

/**
 * The views a page may never show, loaded when first shown rather than with the page: the graph (React
 * Flow, d3, the layout client and the export scene: a third of the page's code), a selection's
 * inspector, and the Nodes and Changes tabs. A big snapshot opens on its namespace cards without
 * evaluating any of them.
 */
const graphView = preloadable<GraphViewProps>(() => import('./flow/GraphView').then((m) => m.GraphView));
export const GraphView = graphView.Component;
/**
 * Starts loading the graph's code (once): a page that will draw a graph asks before it renders one.
 * Once it is in, the text measurer's fonts are readied when the page is next idle (see
 * warmMeasureText). A failure is shown where the graph is drawn (components/LazyView), not here.
 */
export const preloadGraphView = (): void =>
  void graphView
    .preload()
    .then(() => whenIdle(warmMeasureText))
    .catch(() => undefined);

/** Runs `fn` when the page is idle (requestIdleCallback, at most 1 s later), or soon where there is none. */
function whenIdle(fn: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: 1000 });
  else setTimeout(fn, 50);
}

export const Inspector = preloadable<InspectorProps>(() => import('./inspector/Inspector').then((m) => m.Inspector)).Component;
export const NodeMatrix = preloadable<{ readonly snapshotId: string }>(() => import('./matrix/NodeMatrix').then((m) => m.NodeMatrix)).Component;
export const DiffView = preloadable<{ readonly snapshotId: string }>(() => import('./diff/DiffView').then((m) => m.DiffView)).Component;
