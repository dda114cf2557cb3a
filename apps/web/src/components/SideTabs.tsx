import { useRef, useState, type ReactNode } from 'react';
import { formatCompactCount, formatCount } from '../overview/locale-text';

/** One tab of the side column: a label (with an optional count) and what it shows. */
export interface SideTab {
  readonly id: string;
  readonly label: string;
  readonly count?: number;
  readonly content: ReactNode;
}

/**
 * The side column beside the graph: WAI-ARIA tabs (arrow keys move between them). A panel is
 * mounted the first time its tab is shown and then kept mounted, so a form keeps what was typed
 * while another tab is open, and the page does not render panels nobody has opened.
 */
export function SideTabs({ tabs, active, onChange }: { tabs: readonly SideTab[]; active: string; onChange: (id: string) => void }) {
  const list = useRef<HTMLDivElement>(null);
  const [opened, setOpened] = useState<ReadonlySet<string>>(() => new Set([active]));
  if (!opened.has(active)) setOpened(new Set([...opened, active]));
  const move = (e: React.KeyboardEvent, i: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = tabs[(i + step + tabs.length) % tabs.length];
    if (!next) return;
    onChange(next.id);
    list.current?.querySelector<HTMLButtonElement>(`#tab-${next.id}`)?.focus();
  };
  return (
    <div className="side-tabs">
      <div className="tab-list" role="tablist" aria-label="Side panels" ref={list}>
        {tabs.map((t, i) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={t.id === active}
            aria-controls={`tabpanel-${t.id}`}
            tabIndex={t.id === active ? 0 : -1}
            className={t.id === active ? 'tab active' : 'tab'}
            aria-label={t.count === undefined ? undefined : `${t.label}, ${formatCount(t.count)}`}
            title={t.count === undefined ? undefined : `${t.label}: ${formatCount(t.count)}`}
            onClick={() => onChange(t.id)}
            onKeyDown={(e) => move(e, i)}
          >
            {t.label}
            {t.count !== undefined && <span className="tab-count">{formatCompactCount(t.count)}</span>}
          </button>
        ))}
      </div>
      {tabs.map((t) => (
        <div key={t.id} id={`tabpanel-${t.id}`} role="tabpanel" aria-labelledby={`tab-${t.id}`} className="tab-panel" hidden={t.id !== active}>
          {(t.id === active || opened.has(t.id)) && t.content}
        </div>
      ))}
    </div>
  );
}
