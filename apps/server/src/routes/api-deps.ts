import type { RulesetEngine } from '../engine/engine-ops';
import type { SnapshotSource } from '../snapshots/snapshot';

/** What the routes need: where snapshots are and who parses them. */
export interface ApiDeps {
  readonly snapshots: SnapshotSource;
  readonly engine: RulesetEngine;
}
