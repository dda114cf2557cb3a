import type { RuleRef } from '@svcpath/graph';
import { ruleTokens } from './rule-tokens';

/** Rule lines as the dump has them: line number (or "assumed") and the raw text, highlighted. */
export function RuleLines({ rules }: { rules: readonly RuleRef[] }) {
  return (
    <ol className="rules">
      {rules.map((r) => (
        <li key={`${r.chainId}#${r.index}`}>
          <span className="rule-line" title={r.assumed ? "not in the dump: kube-proxy's standard jump, assumed" : `${r.file} line ${r.line}`}>
            {r.assumed ? 'assumed' : `L${r.line}`}
          </span>
          <code className="rule-raw">
            {ruleTokens(r.raw).map((t, i) => (t.kind === 'text' ? t.text : <span key={i} className={`tok-${t.kind}`}>{t.text}</span>))}
          </code>
        </li>
      ))}
    </ol>
  );
}
