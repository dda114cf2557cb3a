/**
 * Reading a snapshot document of any version: refuse newer ones with a message that says so, lift
 * older ones step by step to SNAPSHOT_FORMAT_VERSION, then validate with the current schema.
 */
import { describeIssues } from './flow-input';
import { SNAPSHOT_FORMAT_VERSION, Snapshot, SnapshotCollectionFile } from './snapshot';

/** A parsed document: one snapshot (a store file) or a collection (an export file). */
export type SnapshotDocument =
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly kind: 'collection'; readonly collection: SnapshotCollectionFile };

export type SnapshotDocumentResult =
  | { readonly ok: true; readonly document: SnapshotDocument; readonly migratedFrom?: number }
  | {
      readonly ok: false;
      /** TOO_NEW: written by a newer svcpath. INVALID: not a snapshot, or a field is wrong. */
      readonly code: 'TOO_NEW' | 'INVALID';
      readonly message: string;
      /** `snapshots[0].files[2].kind: …`, one per wrong field. */
      readonly issues: readonly string[];
    };

type Json = Record<string, unknown>;

/**
 * Steps from version N to N+1, keyed by N. Version 1 is the first, so there are none yet; a step
 * receives the whole document (snapshot or collection) and returns it one version newer.
 */
export const SNAPSHOT_MIGRATIONS: Readonly<Record<number, (doc: Json) => Json>> = {};

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, issues: readonly string[] = []): SnapshotDocumentResult {
  return { ok: false, code: 'INVALID', message, issues };
}

/** Lifts `doc` to the current version, or says why it cannot. */
export function migrateSnapshotDocument(
  doc: Json,
  migrations: Readonly<Record<number, (doc: Json) => Json>> = SNAPSHOT_MIGRATIONS,
): { ok: true; doc: Json; from: number } | { ok: false; code: 'TOO_NEW' | 'INVALID'; message: string } {
  const version = doc['formatVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version))
    return { ok: false, code: 'INVALID', message: 'formatVersion: missing; not a svcpath snapshot file' };
  if (version > SNAPSHOT_FORMAT_VERSION)
    return {
      ok: false,
      code: 'TOO_NEW',
      message: `formatVersion ${version}: written by a newer svcpath; this one reads formats up to ${SNAPSHOT_FORMAT_VERSION}. Upgrade svcpath to read it.`,
    };
  let current = doc;
  for (let v = version; v < SNAPSHOT_FORMAT_VERSION; v++) {
    const step = migrations[v];
    if (!step)
      return { ok: false, code: 'INVALID', message: `formatVersion ${version}: no migration from format ${v}` };
    current = { ...step(current), formatVersion: v + 1 };
  }
  return { ok: true, doc: current, from: version };
}

/** Validates a parsed JSON value as a snapshot or a collection file, migrating older formats. */
export function readSnapshotDocument(value: unknown): SnapshotDocumentResult {
  if (!isObject(value)) return invalid('expected a JSON object (a svcpath snapshot or collection)');
  const migrated = migrateSnapshotDocument(value);
  if (!migrated.ok) return { ok: false, code: migrated.code, message: migrated.message, issues: [] };
  const from = migrated.from === SNAPSHOT_FORMAT_VERSION ? {} : { migratedFrom: migrated.from };
  if (migrated.doc['kind'] === 'svcpath-collection') {
    const parsed = SnapshotCollectionFile.safeParse(migrated.doc);
    if (!parsed.success) return invalid('not a valid svcpath collection', describeIssues(parsed.error));
    return { ok: true, document: { kind: 'collection', collection: parsed.data }, ...from };
  }
  const parsed = Snapshot.safeParse(migrated.doc);
  if (!parsed.success) return invalid('not a valid svcpath snapshot', describeIssues(parsed.error));
  return { ok: true, document: { kind: 'snapshot', snapshot: parsed.data }, ...from };
}
