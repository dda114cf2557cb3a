import type { QueryClient } from '@tanstack/react-query';
import { graphQuery } from './queries';

/**
 * A Service's graph asked before it is opened: when a pointer comes to rest on its row (or the row
 * takes the focus), a person clicks ~100 ms later, and the server lays the graph out meanwhile.
 * Opening it then takes that request's answer (same query) instead of asking again.
 */
export function prefetchServiceGraph(client: QueryClient, snapshot: string, service: string): void {
  void client.prefetchQuery(graphQuery(snapshot, { service }));
}

/**
 * The pointer left the row unopened: a request still under way is cancelled, so a pointer crossing
 * a list does not queue a graph per row in front of the one it opens (the server drops a cancelled
 * request it has not started). A graph that came in already is kept; one being opened is left alone.
 */
export function dropServiceGraphPrefetch(client: QueryClient, snapshot: string, service: string): void {
  const { queryKey } = graphQuery(snapshot, { service });
  const query = client.getQueryCache().find({ queryKey, exact: true });
  if (query && query.getObserversCount() === 0 && query.state.fetchStatus === 'fetching') void client.cancelQueries({ queryKey, exact: true });
}
