import type { ErrorBody } from '../errors';
import type { EngineOp, SnapshotRef } from './engine-ops';

/** Messages between the server and its engine worker. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export type EngineRequest =
  | { readonly id: number; readonly type: 'run'; readonly snapshot: SnapshotRef; readonly op: EngineOp }
  | { readonly id: number; readonly type: 'evict'; readonly snapshotId: string };

export type EngineReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly notLoaded: true }
  | { readonly id: number; readonly ok: false; readonly error: ErrorBody['error'] };

export type EngineRequestBody = WithoutId<EngineRequest>;
