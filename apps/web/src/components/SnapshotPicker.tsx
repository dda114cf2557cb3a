import type { SnapshotMeta } from '../api/types';

/** Picks the snapshot (one node's dumps), grouped by collection. */
export function SnapshotPicker({ snapshots, value, onChange }: { snapshots: readonly SnapshotMeta[]; value: string | undefined; onChange: (id: string) => void }) {
  const collections = [...new Set(snapshots.map((s) => s.collection))];
  return (
    <label className="field snapshot-picker">
      <span className="field-label">Node</span>
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value)} aria-label="Snapshot (node)">
        {!value && <option value="">Choose a node…</option>}
        {collections.map((c) => (
          <optgroup key={c} label={c}>
            {snapshots
              .filter((s) => s.collection === c)
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.node} · {new Date(s.takenAt).toISOString().slice(0, 16).replace('T', ' ')}
                </option>
              ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}
