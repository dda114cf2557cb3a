// What the fleet view shows, computed from the report: pure, tested in fleet-view.test.ts.
import { describeDisagreement } from '@svcpath/fleet';
import type { DriftGroup, FleetReport, PortDrift } from './fleet-types';

/** A group's disagreements in words, one per line. */
export function groupLines(g: DriftGroup): string[] {
  return g.disagreements.map(describeDisagreement);
}

/** Service ports whose name contains every word of the query (namespace, Service, port). */
export function filterDrift(drift: readonly PortDrift[], query: string): readonly PortDrift[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return words.length === 0 ? drift : drift.filter((p) => words.every((w) => p.portName.toLowerCase().includes(w)));
}

/** The newest snapshot of each node: where a click on a node opens its trace. */
export function snapshotByNode(snapshots: readonly { readonly id: string; readonly node: string; readonly takenAt: string }[]): ReadonlyMap<string, string> {
  const best = new Map<string, { id: string; takenAt: string }>();
  for (const s of snapshots) {
    const b = best.get(s.node);
    if (!b || s.takenAt > b.takenAt) best.set(s.node, { id: s.id, takenAt: s.takenAt });
  }
  return new Map([...best].map(([node, b]) => [node, b.id]));
}

/** `ns/name:port` → the `ns/name` the Service view opens. */
export function serviceOf(portName: string): string {
  const i = portName.lastIndexOf(':');
  return i < 0 ? portName : portName.slice(0, i);
}

/** The link that opens a node's snapshot on the Service of a port (the trace form beside its graph). */
export function traceLink(snapshotId: string, portName: string): string {
  return `/?snapshot=${encodeURIComponent(snapshotId)}&service=${serviceOf(portName)}`;
}

/** The headline: how many nodes agree, how many do not, how many were not compared. */
export function summaryOf(r: FleetReport): { compared: number; agree: number; disagree: number; notCompared: number; undetailed: number } {
  return { compared: r.compared, agree: r.agreeing, disagree: r.compared - r.agreeing, notCompared: r.problems.length, undetailed: r.undetailed.length };
}
