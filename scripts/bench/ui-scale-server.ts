/**
 * The server for scripts/bench/ui-scale.ts, in its own process: as `npm start` runs it (store and web
 * app from the environment), with the engine's per-request budget from BENCH_ENGINE_MS (default
 * 10 minutes): on a busy shared machine parsing the 39 MB dump can pass the default 60 s, and a
 * benchmark that stops there measures nothing. Prints the URL on its first line.
 */
import { startServer } from '../../apps/server/src/start-server';

const server = await startServer({
  port: 0,
  webDist: process.env.SVCPATH_WEB_DIST ?? null,
  store: process.env.SVCPATH_STORE ?? null,
  collections: process.env.SVCPATH_COLLECTIONS ? process.env.SVCPATH_COLLECTIONS.split(',') : [],
  engine: { requestMs: Number(process.env.BENCH_ENGINE_MS ?? 600_000) },
});
console.log(`svcpath listening on ${server.url}/`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
