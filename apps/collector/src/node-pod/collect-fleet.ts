// collectFleet: one collection per node (a short-lived Pod each, through collectNodeDumpsViaPod or
// any other per-node collector), at most `concurrency` at a time, each bounded by a per-node
// timeout, with progress and cancellation. Partial failure is data: every node ends as an outcome.
// It returns only once every started collection has settled, so each one's own cleanup (the Pod
// deleted in its `finally`) has run, on timeout and on cancel too.

export type FleetNodeOutcome<R> =
  | { readonly kind: 'collected'; readonly node: string; readonly result: R; readonly ms: number }
  | { readonly kind: 'failed'; readonly node: string; readonly reason: string }
  | { readonly kind: 'timeout'; readonly node: string; readonly timeoutMs: number }
  /** Never started: the run was cancelled first. */
  | { readonly kind: 'cancelled'; readonly node: string };

export type FleetProgress =
  | { readonly kind: 'node-started'; readonly node: string; readonly running: number }
  | { readonly kind: 'node-finished'; readonly node: string; readonly outcome: FleetNodeOutcome<unknown>['kind']; readonly done: number; readonly total: number };

export interface CollectFleetOptions<R> {
  readonly nodes: readonly string[];
  /** Collections at a time. Default 20. */
  readonly concurrency?: number;
  /** Per node; past it the node is `timeout` and its collection's signal aborts. Default 5 minutes. */
  readonly nodeTimeoutMs?: number;
  /** Cancels the run: no new node starts, running ones are told through their signal. */
  readonly signal?: AbortSignal;
  readonly collectNode: (node: string, signal: AbortSignal) => Promise<R>;
  readonly onProgress?: (event: FleetProgress) => void;
}

export interface FleetCollection<R> {
  /** One per node, in the order of `nodes`. */
  readonly outcomes: readonly FleetNodeOutcome<R>[];
  /** Some node was not collected. */
  readonly partial: boolean;
}

export const DEFAULT_FLEET_CONCURRENCY = 20;
export const DEFAULT_NODE_TIMEOUT_MS = 5 * 60_000;

/** Runs `collectNode` for every node with bounded concurrency; never throws for a node's failure. */
export async function collectFleet<R>(o: CollectFleetOptions<R>): Promise<FleetCollection<R>> {
  const concurrency = Math.max(1, o.concurrency ?? DEFAULT_FLEET_CONCURRENCY);
  const timeoutMs = o.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS;
  const outcomes: FleetNodeOutcome<R>[] = new Array(o.nodes.length);
  const settling: Promise<unknown>[] = [];
  let next = 0;
  let running = 0;
  let done = 0;

  const one = async (i: number): Promise<void> => {
    const node = o.nodes[i]!;
    const abort = new AbortController();
    const cancel = () => abort.abort();
    o.signal?.addEventListener('abort', cancel, { once: true });
    running++;
    o.onProgress?.({ kind: 'node-started', node, running });
    const started = Date.now();
    const work = o.collectNode(node, abort.signal);
    settling.push(work.catch(() => undefined));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const r = await Promise.race([work, timedOut]);
      if (r === 'timeout') {
        abort.abort();
        outcomes[i] = { kind: 'timeout', node, timeoutMs };
      } else outcomes[i] = { kind: 'collected', node, result: r, ms: Date.now() - started };
    } catch (e) {
      outcomes[i] = { kind: 'failed', node, reason: e instanceof Error ? e.message : String(e) };
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', cancel);
      running--;
      done++;
      o.onProgress?.({ kind: 'node-finished', node, outcome: outcomes[i]!.kind, done, total: o.nodes.length });
    }
  };

  const worker = async (): Promise<void> => {
    while (next < o.nodes.length && !o.signal?.aborted) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, o.nodes.length) }, worker));
  for (let i = 0; i < o.nodes.length; i++) outcomes[i] ??= { kind: 'cancelled', node: o.nodes[i]! };
  // Timed-out and cancelled collections are still finishing their cleanup: wait for it.
  await Promise.all(settling);
  return { outcomes, partial: outcomes.some((x) => x.kind !== 'collected') };
}
