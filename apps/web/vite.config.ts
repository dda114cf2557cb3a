import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `npx vite build apps/web` builds into apps/web/dist, which the server serves. `npx vite apps/web`
 * runs the dev server; /api goes to the svcpath server (SVCPATH_API, default http://127.0.0.1:8080),
 * presenting itself as that origin so the server's Host/Origin guard lets it through.
 */
const api = process.env.SVCPATH_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 3000 },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: api, changeOrigin: true, headers: { origin: api } } },
  },
});
