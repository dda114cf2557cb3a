/**
 * Fleet simulations for benchmarks and tests (`@svcpath/fleet/simulate`): kept off the main entry
 * so the CLI and the node-side digest never load kube-proxy-sim.
 */
export { DRIFT_KINDS, plantDrift, type DriftKind, type PlantedDrift } from './planted-drift';
export { reportedLines, simulateFleet, variantDigest, type FleetPlan, type PlantedLine, type SimulatedFleet, type Variant } from './simulate-fleet';
