import { Component, Suspense, type ReactNode } from 'react';

/**
 * Where a view whose code loads on first use (lazy-views.ts) is drawn: a named loading state while
 * its code loads, and a named failure when it cannot (the server was updated and the page's old
 * chunk is gone, or the connection dropped) instead of an empty page.
 */
export function LazyView({ what, pane = false, children }: { what: string; pane?: boolean; children: ReactNode }) {
  const Tag = pane ? 'div' : 'p';
  const cls = pane ? 'graph-message' : 'muted';
  return (
    <LoadFailed what={what} render={(message) => <Tag className={`${cls} error-text`} role="alert">{`Could not show the ${what}: ${message}. Reload the page to try again.`}</Tag>}>
      <Suspense fallback={<Tag className={cls} role="status">{`Loading the ${what}…`}</Tag>}>{children}</Suspense>
    </LoadFailed>
  );
}

class LoadFailed extends Component<{ what: string; render: (message: string) => ReactNode; children: ReactNode }, { message: string | null }> {
  override state = { message: null as string | null };
  static getDerivedStateFromError(e: unknown) {
    return { message: e instanceof Error ? e.message : String(e) };
  }
  override render() {
    return this.state.message === null ? this.props.children : this.props.render(this.state.message);
  }
}
