import type { Disagreement, DriftGroup, FleetReport, NodeProblem, PortDrift } from '@svcpath/fleet';

// The server's fleet run (@svcpath/api-contract's FleetRunView), as `GET /api/fleet/runs/latest`
// answers it. The report is @svcpath/fleet's FleetReport, the same one `svcpath fleet` prints.

export type { Disagreement, DriftGroup, FleetReport, NodeProblem, PortDrift };

export type { FleetRunRequest, FleetRunView as FleetRun } from '@svcpath/api-contract';
