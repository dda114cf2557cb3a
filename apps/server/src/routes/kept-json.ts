/**
 * JSON texts of answers that depend on nothing but a snapshot's version and the request's query,
 * kept once made (the newest, up to `maxBytes` of text). The doctor's whole-node answer on a
 * 10,000-Service snapshot is 1.5 MB: copying it out of the engine worker, checking it against the
 * response schema and writing it as JSON took ~65 ms of the server's one event loop at every ask
 * (each page that opens a namespace asks), and a graph or a trace asked meanwhile waited for it.
 * A failure is not kept.
 */
export class KeptJson {
  private readonly kept = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  /** The text kept under `key`, else `make`'s answer written as JSON (and kept when it fits). */
  async get(key: string, make: () => Promise<unknown>): Promise<string> {
    const hit = this.kept.get(key);
    if (hit !== undefined) {
      // Refresh its place in the LRU order.
      this.kept.delete(key);
      this.kept.set(key, hit);
      return hit;
    }
    const text = JSON.stringify(await make());
    this.keep(key, text);
    return text;
  }

  private keep(key: string, text: string): void {
    if (text.length > this.maxBytes || this.kept.has(key)) return;
    this.kept.set(key, text);
    this.bytes += text.length;
    while (this.bytes > this.maxBytes) {
      const [oldest, old] = this.kept.entries().next().value!;
      this.kept.delete(oldest);
      this.bytes -= old.length;
    }
  }
}
