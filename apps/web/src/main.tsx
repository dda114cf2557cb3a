import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './App';
import { primePreloaded } from './api/preloaded';
import { preloadGraphView } from './lazy-views';
import './styles.css';

// The fleet view is its own page (/fleet), its code loaded only there.
const FleetPage = lazy(() => import('./fleet/FleetPage'));

const queryClient = new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false } } });

/**
 * How long the page may stay blank waiting for the preloaded answers the first view is drawn from.
 * They are usually in before the script has run (a few ms to hand over); past this, the app shows
 * its loading states and the answers fill them as they come.
 */
const PRELOAD_WAIT_MS = 150;

function render() {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        {window.location.pathname === '/fleet' ? (
          <Suspense fallback={null}>
            <FleetPage />
          </Suspense>
        ) : (
          <App />
        )}
      </QueryClientProvider>
    </StrictMode>,
  );
}

// A page that opens on a graph (a small snapshot's, whose graph the server preloads, or a Service's)
// or on a namespace (its graph, or on a big snapshot its list, whose rows open a Service's graph)
// asks for the graph's code now, beside its data, not once the app has rendered.
const opening = new URLSearchParams(window.location.search);
if (document.querySelector('link[rel="preload"][href$="/graph"]') || opening.has('service') || opening.has('ns')) preloadGraphView();
void primePreloaded(queryClient, document, PRELOAD_WAIT_MS).then(render);
