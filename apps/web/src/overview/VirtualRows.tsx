import { useState, type ReactNode } from 'react';

/** Rows drawn beyond the visible ones, so a fast scroll does not show blanks. */
const OVERSCAN = 8;

/**
 * A scrolling list that draws only the rows in view (fixed row height): a namespace of 5,000
 * Services costs the DOM what a screenful does.
 */
export function VirtualRows<T>({ items, rowHeight, height, label, render }: { items: readonly T[]; rowHeight: number; height: number; label: string; render: (item: T, index: number) => ReactNode }) {
  // The first row in view, not the scroll offset: React skips the render while it stays the same.
  const [topRow, setTopRow] = useState(0);
  const first = Math.max(0, topRow - OVERSCAN);
  const last = Math.min(items.length, topRow + Math.ceil(height / rowHeight) + 1 + OVERSCAN);
  return (
    <div className="virtual-rows" style={{ height }} onScroll={(e) => setTopRow(Math.floor(e.currentTarget.scrollTop / rowHeight))} role="list" aria-label={label}>
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {items.slice(first, last).map((item, k) => (
          <div key={first + k} role="listitem" className="virtual-row" style={{ position: 'absolute', top: (first + k) * rowHeight, height: rowHeight, left: 0, right: 0 }}>
            {render(item, first + k)}
          </div>
        ))}
      </div>
    </div>
  );
}
