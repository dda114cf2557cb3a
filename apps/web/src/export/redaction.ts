import type { Snapshot } from '@svcpath/api-contract';
import { redactText, type RedactionMapping } from '@svcpath/redact';

export { redactText };
import { fetchJson, snapshotPath } from '../api/client';
import type { Scene } from './svg-scene';

/** Where a browser keeps its redaction seeds (Storage, or a stand-in in tests). */
export interface SeedStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * The redaction seed of a snapshot: random the first time, then kept in this browser's storage, so
 * every export of the snapshot (PNG, SVG, Markdown, the snapshot itself), across reloads, uses the
 * same pseudonyms. It is random rather than derived from the snapshot so nobody can recompute it
 * and reverse the mapping; without storage it lasts as long as the page.
 */
export function seedFor(snapshotId: string, store: SeedStore | null = browserStore(), random: () => string = () => globalThis.crypto.randomUUID()): string {
  const key = `svcpath.redaction-seed.${snapshotId}`;
  const kept = store?.getItem(key) ?? memory.get(key);
  if (kept) return kept;
  const seed = random();
  memory.set(key, seed);
  try {
    store?.setItem(key, seed);
  } catch {
    // Storage full or refused (private mode): the page's copy above still holds it.
  }
  return seed;
}
const memory = new Map<string, string>();

function browserStore(): SeedStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export interface Redaction {
  readonly snapshot: Snapshot;
  readonly mapping: RedactionMapping;
}

/** The redacted snapshot and its mapping, from GET /api/snapshots/:id/export?redact=1&mapping=1. */
export function fetchRedaction(snapshotId: string): Promise<Redaction> {
  return fetchJson<Redaction>(`${snapshotPath(snapshotId)}/export?redact=1&mapping=1&seed=${encodeURIComponent(seedFor(snapshotId))}`);
}

/** The unredacted snapshot document. */
export function fetchSnapshotDocument(snapshotId: string): Promise<Snapshot> {
  return fetchJson<Snapshot>(`${snapshotPath(snapshotId)}/export`);
}

/** The scene with every text it draws redacted; geometry and colours unchanged. */
export function redactScene(scene: Scene, mapping: RedactionMapping): Scene {
  const r = (s: string) => redactText(s, mapping);
  return {
    ...scene,
    title: r(scene.title),
    nodes: scene.nodes.map((n) => ({ ...n, label: r(n.label), detail: r(n.detail), caption: r(n.caption), ...(n.badges ? { badges: n.badges.map(r) } : {}) })),
    edges: scene.edges.map((e) => ({ ...e, label: r(e.label) })),
    ...(scene.poster
      ? {
          poster: {
            ...scene.poster,
            title: r(scene.poster.title),
            facts: scene.poster.facts.map(r),
            trace: scene.poster.trace && { packet: r(scene.poster.trace.packet), outcomes: scene.poster.trace.outcomes.map((o) => ({ share: o.share, text: r(o.text) })) },
          },
        }
      : {}),
  };
}

/**
 * A Markdown summary redacted. The page's own address goes first: its query names the Service
 * (URL-encoded, so no word match would catch it).
 */
export function redactMarkdown(markdown: string, mapping: RedactionMapping, pageUrl: string): string {
  return redactText(markdown.split(pageUrl).join('(link to the unredacted view omitted)'), mapping);
}
