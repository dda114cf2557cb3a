import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectLiveFleet, collectSnapshot, createFileSnapshotStore } from '@svcpath/collector';
import { createApp } from './app';
import { SplitRulesetEngine } from './engine/split-engine';
import { EnginePool, type EnginePoolOptions } from './engine/engine-pool';
import { ownHosts } from './http/security';
import { CollectionJobs, type CollectFn } from './jobs/collection-jobs';
import { FleetRuns, type LiveFleetFn } from './jobs/fleet-runs';
import { LayeredSnapshotSource } from './snapshots/layered-snapshot-source';
import { MemorySnapshotSource } from './snapshots/memory-snapshot-source';
import { snapshotOfDocument, type SnapshotSource } from './snapshots/snapshot';
import { loadSnapshotFolder } from './snapshots/snapshot-folder';
import { removeStaleTempFiles } from './snapshots/stale-temp-files';
import { StoreSnapshotSource } from './snapshots/store-snapshot-source';
import { WorkerStoreWriter } from './snapshots/store-writer';

export interface ServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly webDist?: string | null;
  /** Read-only collection folders loaded at start (the demo). */
  readonly collections?: readonly string[];
  /**
   * The on-disk snapshot store (`createFileSnapshotStore`) imports and collections are written to,
   * so they survive a restart. Absent or null: they are kept in memory only.
   */
  readonly store?: string | null;
  /** More Host values to answer to (a name behind a reverse proxy). */
  readonly allowedHosts?: readonly string[];
  /** Replaces the store: where imports and collections go. */
  readonly snapshots?: SnapshotSource;
  /** How collection jobs collect; default @svcpath/collector's collectSnapshot (tests pass a fake). */
  readonly collect?: CollectFn;
  /** How fleet runs collect; default @svcpath/collector's collectLiveFleet (the server's kubeconfig or in-cluster account). */
  readonly fleet?: LiveFleetFn;
  /**
   * How long a client may take to send its headers (default 10 s) and its whole request (default
   * 120 s: a 64 MB import over a slow link). A stalled body is answered 408 and dropped then.
   */
  readonly timeouts?: { readonly headersMs?: number; readonly requestMs?: number };
  /** Per-request time and memory budgets of the ruleset engine, and its number of workers. */
  readonly engine?: EnginePoolOptions;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly snapshots: SnapshotSource;
  close(): Promise<void>;
}

/**
 * The doctor's workers' nice value: with a graph or a trace waiting for a core, the doctor gets about
 * a tenth of one (CFS weights 110 against 1024); on an idle machine it runs at full speed.
 */
const DOCTOR_NICE = 10;

/** Loads the collections and the store, starts the engine worker and listens (127.0.0.1 unless told otherwise). */
export async function startServer(o: ServerOptions = {}): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  const fixed = new MemorySnapshotSource();
  for (const dir of o.collections ?? []) for (const s of await loadSnapshotFolder(dir)) await fixed.put({ ...s, readOnly: true });
  if (o.store && !o.snapshots) {
    const removed = await removeStaleTempFiles(o.store);
    if (removed.length > 0) console.error(`svcpath: removed ${removed.length} temp file(s) an interrupted write left in the snapshot store`);
  }
  const writer = o.store && !o.snapshots ? new WorkerStoreWriter(o.store) : null;
  const writable = o.snapshots ?? (o.store ? new StoreSnapshotSource(createFileSnapshotStore(o.store), writer) : new MemorySnapshotSource());
  const snapshots = new LayeredSnapshotSource(fixed, writable);
  // Interactive ops (graphs, traces) on a pool of workers; the doctor on its own (see SplitRulesetEngine),
  // niced: its runs take a core for seconds on a big snapshot, and a graph asked meanwhile waited
  // for that core (one Service's doctor, ~0.7 s at 10,000 Services, doubled the graph's time).
  const engine = new SplitRulesetEngine(new EnginePool(o.engine), new EnginePool({ ...o.engine, maxWorkers: 2, nice: DOCTOR_NICE }));
  const jobs = new CollectionJobs(o.collect ?? collectSnapshot, snapshots);
  let hosts: ReadonlySet<string> = new Set();
  const fleet = new FleetRuns(o.fleet ?? collectLiveFleet, async (s) => {
    await snapshots.put(snapshotOfDocument(s));
    return s.id;
  });
  const app = createApp({ snapshots, engine, jobs, fleet, webDist: o.webDist ?? null, allowedHosts: () => hosts });
  const requestMs = o.timeouts?.requestMs ?? 120_000;
  const server = createServer({ headersTimeout: Math.min(o.timeouts?.headersMs ?? 10_000, requestMs), requestTimeout: requestMs, connectionsCheckingInterval: Math.min(1000, requestMs) }, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 8080, host, () => resolve());
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
      await fleet.close();
      await engine.close();
      await writer?.close();
    },
  };
}
