import { warmLayoutWorker } from './layout/layout-client';

// Imported first by main.tsx: modules run in import order, so the layout worker (and its 1.5 MB of
// ELK) starts loading before React and the app's own modules are evaluated, not after.
warmLayoutWorker();
