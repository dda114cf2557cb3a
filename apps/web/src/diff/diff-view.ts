import { describeChange, describeNodeChange, type DiffReport, type Evidence, type ServicePortChange } from '@svcpath/diff';

/** How a change reads at a glance: something appeared, went, or changed. */
export type ChangeTone = 'added' | 'removed' | 'changed';

/** A REJECT or DROP appearing is something lost; one going away, something gained. */
export function toneOf(c: ServicePortChange): ChangeTone {
  switch (c.kind) {
    case 'service-port-added':
    case 'endpoint-added':
    case 'address-added':
    case 'verdict-removed':
      return 'added';
    case 'service-port-removed':
    case 'endpoint-removed':
    case 'address-removed':
    case 'verdict-added':
      return 'removed';
    case 'share-changed':
    case 'affinity-changed':
    case 'node-port-changed':
    case 'masquerade-changed':
    case 'reachability-changed':
      return 'changed';
    default: {
      const never: never = c;
      return never;
    }
  }
}

/** One line of the view: the change in words, its tone, and the rule lines on both sides. */
export interface ChangeRow {
  readonly key: string;
  readonly text: string;
  readonly tone: ChangeTone;
  readonly evidence: Evidence;
}

export interface PortBlock {
  readonly portName: string;
  readonly key: string;
  readonly rows: readonly ChangeRow[];
}

/** The report as blocks per Service port, then the node-level changes as a block of their own. */
export function reportBlocks(r: DiffReport): PortBlock[] {
  const blocks: PortBlock[] = r.servicePorts.map((p) => ({
    portName: p.portName,
    key: p.key,
    rows: p.changes.map((c, i) => ({ key: `${p.key}#${i}`, text: describeChange(c), tone: toneOf(c), evidence: c.evidence })),
  }));
  if (r.node.length)
    blocks.push({ portName: 'Rules before KUBE-SERVICES', key: 'node', rows: r.node.map((c, i) => ({ key: `node#${i}`, text: describeNodeChange(c), tone: c.kind === 'foreign-rule-added' ? 'added' : 'removed', evidence: c.evidence })) });
  return blocks;
}

/** The sentence above the list. */
export function summaryText(r: DiffReport): string {
  const modes = r.before.mode === r.after.mode ? `both ${r.before.mode}` : `${r.before.mode} → ${r.after.mode}`;
  if (r.servicePorts.length === 0 && r.node.length === 0) return `No change: all ${r.compared} Service ports are programmed the same way (${modes}).`;
  const node = r.node.length ? `, and ${r.node.length} rule change(s) before KUBE-SERVICES` : '';
  return `${r.servicePorts.length} of ${r.compared} Service ports changed${node} (${modes}).`;
}

/** A snapshot the user can compare with, as the picker lists it. */
export interface Candidate {
  readonly id: string;
  readonly node: string;
  readonly takenAt: string;
}

/**
 * The snapshots to offer for "compare with": the same node's first (newest first), then the others;
 * never the snapshot itself.
 */
export function candidates(self: Candidate, all: readonly Candidate[]): Candidate[] {
  const others = all.filter((c) => c.id !== self.id);
  const byTime = (a: Candidate, b: Candidate) => b.takenAt.localeCompare(a.takenAt);
  return [...others.filter((c) => c.node === self.node).sort(byTime), ...others.filter((c) => c.node !== self.node).sort(byTime)];
}
