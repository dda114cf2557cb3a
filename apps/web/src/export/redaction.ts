import type { Snapshot } from '@svcpath/api-contract';
import { redactText, type RedactionMapping } from '@svcpath/redact';
import { fetchJson, snapshotPath } from '../api/client';
import type { Scene } from './svg-scene';

/**
 * One seed per page: the redacted snapshot this page downloads and the labels of the pictures it
 * exports use the same pseudonyms, and a reload starts a new, unrelated mapping.
 */
const PAGE_SEED = globalThis.crypto.randomUUID();

export interface Redaction {
  readonly snapshot: Snapshot;
  readonly mapping: RedactionMapping;
}

/** The redacted snapshot and its mapping, from GET /api/snapshots/:id/export?redact=1&mapping=1. */
export function fetchRedaction(snapshotId: string): Promise<Redaction> {
  return fetchJson<Redaction>(`${snapshotPath(snapshotId)}/export?redact=1&mapping=1&seed=${encodeURIComponent(PAGE_SEED)}`);
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
    nodes: scene.nodes.map((n) => ({ ...n, label: r(n.label), detail: r(n.detail), caption: r(n.caption) })),
    edges: scene.edges.map((e) => ({ ...e, label: r(e.label) })),
  };
}

/**
 * A Markdown summary redacted. The page's own address goes first: its query names the Service
 * (URL-encoded, so no word match would catch it).
 */
export function redactMarkdown(markdown: string, mapping: RedactionMapping, pageUrl: string): string {
  return redactText(markdown.split(pageUrl).join('(link to the unredacted view omitted)'), mapping);
}
