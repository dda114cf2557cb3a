import type { RulesetEngine } from '../engine/engine-ops';
import type { CollectionJobs } from '../jobs/collection-jobs';
import type { SnapshotSource } from '../snapshots/snapshot';

/** What the routes need: where snapshots are, who parses them, and the background collections. */
export interface ApiDeps {
  readonly snapshots: SnapshotSource;
  readonly engine: RulesetEngine;
  readonly jobs: CollectionJobs;
}
