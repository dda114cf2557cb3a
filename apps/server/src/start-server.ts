import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { WorkerRulesetEngine } from './engine/worker-engine';
import { ownHosts } from './http/security';
import { MemorySnapshotSource } from './snapshots/memory-snapshot-source';
import type { Snapshot, SnapshotSource } from './snapshots/snapshot';
import { loadSnapshotFolder } from './snapshots/snapshot-folder';

export interface ServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly webDist?: string | null;
  /** Collection folders loaded at start (a folder per node with meta.json). */
  readonly collections?: readonly string[];
  /** More Host values to answer to (a name behind a reverse proxy). */
  readonly allowedHosts?: readonly string[];
  readonly snapshots?: SnapshotSource;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly snapshots: SnapshotSource;
  close(): Promise<void>;
}

/** Loads the collections, starts the engine worker and listens (127.0.0.1 unless told otherwise). */
export async function startServer(o: ServerOptions = {}): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  const snapshots = o.snapshots ?? new MemorySnapshotSource();
  for (const dir of o.collections ?? []) for (const s of await loadSnapshotFolder(dir)) await snapshots.put(s satisfies Snapshot);
  const engine = new WorkerRulesetEngine();
  let hosts: ReadonlySet<string> = new Set();
  const app = createApp({ snapshots, engine, webDist: o.webDist ?? null, allowedHosts: () => hosts });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(o.port ?? 8080, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const port = (server.address() as AddressInfo).port;
  hosts = ownHosts(host, port, o.allowedHosts);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    snapshots,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
    },
  };
}
