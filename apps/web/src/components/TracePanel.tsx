import { useEffect, useState } from 'react';
import type { ServiceInfo, TraceResult, TraceSource } from '../api/types';
import type { ApiError } from '../api/api-error';
import type { SetView } from '../use-view-state';
import type { Proto, ViewState } from '../view-state';
import { destinationsOf } from './destinations';
import { describeSource } from '../trace/trace-facts';
import { OutcomeList } from './OutcomeList';

export interface TracePanelProps {
  readonly view: ViewState;
  readonly setView: SetView;
  readonly nodeIPs: readonly string[];
  /** Pods and nodes from the snapshot's cluster state, offered as sources. */
  readonly sources?: readonly TraceSource[];
  readonly service: ServiceInfo | undefined;
  readonly result: TraceResult | undefined;
  readonly loading: boolean;
  readonly error: ApiError | null;
  /** The snapshot's node: a source Pod on it is described as such. */
  readonly thisNode?: string | undefined;
  /** Endpoints the rules still DNAT to that no EndpointSlice lists (`ip:port` → ServicePortName). */
  readonly stale?: ReadonlyMap<string, string>;
}

/**
 * The trace form (source: any IP or a node address; destination: a Service's ClusterIP, NodePort,
 * external or LB IP, or anything) and its outcomes. Submitting writes the inputs into the URL.
 */
export function TracePanel({ view, setView, nodeIPs, sources = [], service, result, loading, error, thisNode, stale }: TracePanelProps) {
  const [src, setSrc] = useState(view.src ?? '');
  const [dst, setDst] = useState(view.dst ?? '');
  const [dport, setDport] = useState(view.dport ? String(view.dport) : '');
  const [proto, setProto] = useState<Proto>(view.proto ?? 'tcp');
  const dests = destinationsOf(service, nodeIPs);
  useEffect(() => {
    setSrc(view.src ?? '');
    setDst(view.dst ?? '');
    setDport(view.dport ? String(view.dport) : '');
    setProto(view.proto ?? 'tcp');
  }, [view.src, view.dst, view.dport, view.proto]);
  // A Service just picked and no destination typed yet: start from its first address.
  useEffect(() => {
    const d = dests[0];
    if (d && !view.dst) {
      setDst(d.dst);
      setDport(String(d.dport));
      setProto(d.proto);
    }
  }, [service?.id]);

  const presetValue = dests.findIndex((d) => d.dst === dst && String(d.dport) === dport);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setView({ src: src.trim(), dst: dst.trim(), dport: Number(dport), proto, ret: undefined, outcome: undefined });
  };
  const affinity = result?.outcomes.some((o) => o.affinity) ?? false;
  const endpoints = [...new Set(result?.outcomes.filter((o) => o.verdict === 'DNAT' && o.destination).map((o) => o.destination!) ?? [])];

  return (
    <section className="panel trace-panel" aria-label="Trace a packet">
      <h2>Trace a packet</h2>
      <form onSubmit={submit} className="trace-form">
        <label className="field">
          <span className="field-label">Source</span>
          <input name="src" list="node-ips" value={src} onChange={(e) => setSrc(e.target.value)} placeholder="any IP: a Pod, a client, or a node address" required autoComplete="off" spellCheck={false} />
          <datalist id="node-ips">
            {nodeIPs.map((ip) => (
              <option key={ip} value={ip}>
                node address (traffic from the node itself)
              </option>
            ))}
            {sources
              .filter((x) => !nodeIPs.includes(x.ip))
              .map((x) => (
                <option key={`${x.kind}:${x.name}`} value={x.ip}>
                  {x.kind === 'pod' ? `Pod ${x.name}${x.node ? ` on ${x.node}` : ''}${x.hostNetwork ? ' (host network)' : ''}` : `node ${x.name}`}
                </option>
              ))}
          </datalist>
        </label>
        {dests.length > 0 && (
          <label className="field">
            <span className="field-label">Destination</span>
            <select
              aria-label="Service address"
              value={presetValue}
              onChange={(e) => {
                const d = dests[Number(e.target.value)];
                if (d) {
                  setDst(d.dst);
                  setDport(String(d.dport));
                  setProto(d.proto);
                }
              }}
            >
              {presetValue < 0 && <option value={-1}>other address…</option>}
              {dests.map((d, i) => (
                <option key={d.label} value={i}>
                  {d.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <div className="field-row">
          <label className="field grow">
            <span className="field-label">{dests.length ? 'Address' : 'Destination'}</span>
            <input name="dst" value={dst} onChange={(e) => setDst(e.target.value)} placeholder="ClusterIP, node IP, LB IP" required autoComplete="off" spellCheck={false} />
          </label>
          <label className="field port">
            <span className="field-label">Port</span>
            <input name="dport" value={dport} onChange={(e) => setDport(e.target.value)} inputMode="numeric" pattern="\d{1,5}" required />
          </label>
          <label className="field proto">
            <span className="field-label">Proto</span>
            <select name="proto" value={proto} onChange={(e) => setProto(e.target.value as Proto)}>
              <option value="tcp">tcp</option>
              <option value="udp">udp</option>
              <option value="sctp">sctp</option>
            </select>
          </label>
        </div>
        <button type="submit" className="primary">
          Trace
        </button>
      </form>
      {error && <p className="error-text" role="alert">{error.message}{Array.isArray((error.details as { issues?: string[] } | null)?.issues) ? `: ${(error.details as { issues: string[] }).issues.join('; ')}` : ''}</p>}
      {loading && <p className="muted">Tracing…</p>}
      {result && (
        <div className="trace-result">
          <p className="trace-summary">
            {result.packet.proto} {result.packet.src} → {result.packet.dst}:{result.packet.dport},{' '}
            {describeSource(result.packet.src, result.origin, sources, thisNode)}
            {view.ret ? `, returning client of ${view.ret}` : ', first connection'}
          </p>
          {view.ret && (
            <div className="affinity-note">
              Session affinity: this client reached <b>{view.ret}</b> before, so kube-proxy's <code>-m recent</code> check sends it back there.{' '}
              <button type="button" className="link" onClick={() => setView({ ret: undefined, outcome: undefined })}>
                Trace a first connection instead
              </button>
            </div>
          )}
          <OutcomeList result={result} stale={stale} focus={view.outcome} onFocus={(i) => setView({ outcome: i }, 'replace')} />
          {affinity && !view.ret && (
            <div className="affinity-note">
              ClientIP affinity: a client that connects again within the timeout returns to the same endpoint. Trace a returning client of{' '}
              {endpoints.map((ep) => (
                <button key={ep} type="button" className="link" onClick={() => setView({ ret: ep, outcome: undefined })}>
                  {ep}
                </button>
              ))}
            </div>
          )}
        </div>
      )}
    </section>
  );
}
