import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `npx vite build apps/web` builds into apps/web/dist, which the server serves. `npx vite apps/web`
 * runs the dev server; /api goes to the svcpath server (SVCPATH_API, default http://127.0.0.1:8080),
 * presenting itself as that origin so the server's Host/Origin guard lets it through.
 */
const api = process.env.SVCPATH_API ?? 'http://127.0.0.1:8080';

/**
 * The workspace's packages are pure (no I/O, nothing done on import but building constants), so a
 * module of theirs whose exports the app does not use is left out. Without this the bundler keeps
 * every module a package index reaches whose top level calls a function: @svcpath/graph's index
 * brought parse-iptables' match tables (and netaddr, parse-ipvs, diff) into the page's first script.
 */
const packageSource = /[/\\]packages[/\\][^/\\]+[/\\]src[/\\]/;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 3000,
    // dist/.vite/manifest.json: which files hold the graph's lazily loaded code, for the server to
    // preload on a page that opens on a graph (apps/server web-app.ts). Not served (a dot folder).
    manifest: true,
    rollupOptions: { treeshake: { moduleSideEffects: (id: string) => !packageSource.test(id) } },
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: api, changeOrigin: true, headers: { origin: api } } },
  },
});
