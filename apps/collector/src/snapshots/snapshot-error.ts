/**
 * The one error type of the snapshot store and its file formats. `code` is stable; `file` and
 * `line` / `field` say where, so a message can point at the exact place to fix.
 */
export type SnapshotErrorCode =
  /** No snapshot or collection with that id / name in the store. */
  | 'NOT_FOUND'
  /** A file is not JSON, or not a valid snapshot: `line` or `field` say where. */
  | 'INVALID'
  /** Written by a newer svcpath (formatVersion above the one this code reads). */
  | 'TOO_NEW'
  /** A file or folder could not be read (missing, permissions). */
  | 'UNREADABLE'
  /** Writing failed (disk full, permissions); whatever the store held before is untouched. */
  | 'WRITE_FAILED'
  /** A snapshot handed to the store or an import had nothing in it to keep. */
  | 'EMPTY';

export interface SnapshotErrorInfo {
  readonly file?: string;
  readonly line?: number;
  /** `snapshots[0].files[1].kind`: the JSON path of a wrong field. */
  readonly field?: string;
  readonly issues?: readonly string[];
}

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
    readonly info: SnapshotErrorInfo = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isSnapshotError(value: unknown): value is SnapshotError {
  return value instanceof SnapshotError;
}
