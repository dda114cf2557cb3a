import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { DiffView } from './DiffView';
import '../styles.css';

/** `harness.html?snapshot=ID[&to=ID]`: the diff view alone, as App would show it. */
const q = new URLSearchParams(location.search);
const queryClient = new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false } } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <main className="diff-harness">
        <DiffView snapshotId={q.get('snapshot') ?? ''} {...(q.get('to') ? { initialTo: q.get('to')! } : {})} />
      </main>
    </QueryClientProvider>
  </StrictMode>,
);
