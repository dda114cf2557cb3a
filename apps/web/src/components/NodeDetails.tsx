import type { GraphNode } from '@svcpath/graph';

/** The selected node: what it does in plain words, and the rules it stands for with dump lines. */
export function NodeDetails({ node, onOpen }: { node: GraphNode; onOpen: (node: GraphNode) => void }) {
  const partial = node.totalRules > node.rules.length && node.kind !== 'service';
  return (
    <section className="panel node-details" aria-label="Selected node">
      <header className="panel-head">
        <h2 className="mono">{node.label}</h2>
        <div className="muted">{node.detail}</div>
      </header>
      {node.badges.length > 0 && (
        <div className="badges-row">
          {node.badges.map((b) => (
            <span key={b.text} className={`badge badge-${b.kind}`}>
              {b.text}
            </span>
          ))}
        </div>
      )}
      <p className="explanation">{node.explanation}</p>
      {(node.kind === 'service' || node.kind === 'namespace') && (
        <button type="button" className="primary" onClick={() => onOpen(node)}>
          {node.kind === 'service' ? `Open ${node.service} rule by rule` : `Open namespace ${node.label}`}
        </button>
      )}
      {node.rules.length > 0 && (
        <>
          <h3>
            Rules {partial && <span className="muted">({node.rules.length} of {node.totalRules} in this chain: the ones for this view)</span>}
          </h3>
          <ol className="rules">
            {node.rules.map((r) => (
              <li key={`${r.chainId}#${r.index}`}>
                <span className="rule-line" title={r.assumed ? 'not in the dump: kube-proxy\'s standard jump, assumed' : `${r.file} line ${r.line}`}>
                  {r.assumed ? 'assumed' : `L${r.line}`}
                </span>
                <code className="rule-raw">{r.raw}</code>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
