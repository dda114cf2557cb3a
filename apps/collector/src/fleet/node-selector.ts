// A node label selector as `kubectl get nodes -l` takes it, equality-based terms only (`k=v`,
// `k==v`, `k!=v`, `k`, `!k`, comma-separated, all must hold), matched against the Node objects the
// cluster read already holds — so selecting nodes costs no request of its own. Pure.

export type NodeSelector = (labels: Readonly<Record<string, string>> | undefined) => boolean;

type Term = { readonly key: string } & ({ readonly op: 'eq' | 'ne'; readonly value: string } | { readonly op: 'exists' | 'absent' });

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function term(text: string): Term | string {
  const t = text.trim();
  const m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(t);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    if (!KEY.test(key)) return `"${key}" is not a label key`;
    if (!VALUE.test(value)) return `"${value}" is not a label value`;
    return { key, op: op === '!=' ? 'ne' : 'eq', value };
  }
  if (/\s(in|notin)\s*\(/.test(t)) return `set-based terms ("${t}") are not supported: use key=value, key!=value, key or !key`;
  const negated = t.startsWith('!');
  const key = negated ? t.slice(1) : t;
  if (!KEY.test(key)) return `"${t}" is not a selector term (key=value, key!=value, key or !key)`;
  return { key, op: negated ? 'absent' : 'exists' };
}

/** Parses a selector; a string says what is wrong with it. */
export function parseNodeSelector(text: string): NodeSelector | string {
  const terms: Term[] = [];
  for (const part of text.split(',')) {
    const t = term(part);
    if (typeof t === 'string') return `--selector: ${t}`;
    terms.push(t);
  }
  return (labels) =>
    terms.every((t) => {
      const v = labels?.[t.key];
      switch (t.op) {
        case 'eq':
          return v === t.value;
        case 'ne':
          return v !== t.value;
        case 'exists':
          return v !== undefined;
        case 'absent':
          return v === undefined;
        default: {
          const never: never = t;
          return never;
        }
      }
    });
}
