import { fileURLToPath } from 'node:url';
import { collectLiveFleet, defaultSnapshotStoreDir } from '@svcpath/collector';
import { startServer } from './start-server';

/**
 * `node --import tsx apps/server/src/main.ts`. HOST (default 127.0.0.1) and PORT (default 8080)
 * choose where to listen; ALLOWED_HOSTS (comma-separated host:port) adds names to answer to;
 * SVCPATH_WEB_DIST and SVCPATH_COLLECTIONS (comma-separated read-only folders) override the defaults;
 * imports and collections are kept in SVCPATH_STORE (default ~/.svcpath/snapshots); the fleet view's
 * node Pods run SVCPATH_NODE_IMAGE (default ghcr.io/svcpath/svcpath:0.1.0) in SVCPATH_NODE_NAMESPACE
 * (default svcpath-nodes).
 */
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const env = process.env;
const port = env.PORT === undefined ? 8080 : Number(env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`svcpath: PORT must be a port number, got "${env.PORT}"`);
  process.exit(2);
}
const list = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);

const server = await startServer({
  host: env.HOST || '127.0.0.1',
  port,
  webDist: env.SVCPATH_WEB_DIST ?? here('../../web/dist'),
  collections: list(env.SVCPATH_COLLECTIONS) ?? [here('../demo')],
  store: defaultSnapshotStoreDir(env),
  allowedHosts: list(env.ALLOWED_HOSTS) ?? [],
  fleet: (o) =>
    collectLiveFleet({
      ...o,
      ...(env.SVCPATH_NODE_IMAGE ? { image: env.SVCPATH_NODE_IMAGE } : {}),
      ...(env.SVCPATH_NODE_NAMESPACE ? { namespace: env.SVCPATH_NODE_NAMESPACE } : {}),
    }),
});
const first = (await server.snapshots.list())[0];
console.log(`svcpath listening on ${server.url}/${first ? `?snapshot=${encodeURIComponent(first.id)}` : ''}`);
// Parse the first snapshot now (rules, overview graph, the doctor) so the first page a user opens
// does not wait for it. Asked through the server's own API on loopback; a failure only means the
// first page does that work itself.
if (first) {
  const at = `${server.url}/api/snapshots/${encodeURIComponent(first.id)}`;
  void Promise.all([`${at}`, `${at}/graph`, `${at}/findings`].map((u) => fetch(u).then((r) => r.arrayBuffer()))).catch(() => undefined);
}
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
