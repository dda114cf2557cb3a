import { useEffect, useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { servicesQuery } from '../api/queries';
import type { ServiceInfo } from '../api/types';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function summary(s: ServiceInfo): string {
  const p = s.ports[0];
  const parts = [p?.clusterIP ? `${p.clusterIP}:${p.port ?? ''}` : null, ...s.ports.filter((x) => x.nodePort).map((x) => `NodePort ${x.nodePort}`), ...(p?.loadBalancerIPs ?? []).map((ip) => `LB ${ip}`)];
  return parts.filter(Boolean).join(' · ');
}

/**
 * Finds a Service by name, namespace, ClusterIP, NodePort or LB IP. A combobox: ↑/↓ move, Enter
 * opens, Escape closes; results come from the server's search.
 */
export function ServiceSearch({ snapshot, onPick }: { snapshot: string; onPick: (service: ServiceInfo) => void }) {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), 120);
  const { data, isFetching, isPlaceholderData } = useQuery({ ...servicesQuery(snapshot, q), enabled: open });
  const list = data?.services ?? [];
  const id = useId();
  // Results for what is typed now, not for an earlier prefix still shown while the search runs.
  const fresh = !!data && !isPlaceholderData && q === text.trim();
  const [pendingEnter, setPendingEnter] = useState(false);
  useEffect(() => setActive(0), [q]);

  const pick = (s: ServiceInfo | undefined) => {
    if (!s) return;
    onPick(s);
    setText('');
    setOpen(false);
  };
  useEffect(() => {
    if (pendingEnter && fresh) {
      setPendingEnter(false);
      pick(list[0]);
    }
  });
  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, list.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (fresh) pick(list[active]);
      else setPendingEnter(true);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };
  return (
    <div className="service-search">
      <input
        type="search"
        role="combobox"
        aria-label="Find a Service"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={open && list[active] ? `${id}-${active}` : undefined}
        placeholder="Find a Service: name, namespace, ClusterIP, NodePort…"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
      />
      {open && (
        <ul className="search-results" id={`${id}-list`} role="listbox" aria-label="Services">
          {list.length === 0 && <li className="search-empty">{isFetching ? 'Searching…' : 'No Service matches'}</li>}
          {list.map((s, i) => (
            <li
              key={s.id}
              id={`${id}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(s);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <span className="result-name">{s.name}</span>
              <span className="result-ns">{s.namespace}</span>
              <span className="result-detail">{summary(s)}</span>
            </li>
          ))}
          {data && data.total > list.length && <li className="search-more">{data.total - list.length} more — refine the search</li>}
        </ul>
      )}
    </div>
  );
}
