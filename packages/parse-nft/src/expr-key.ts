import type { Expr } from './ast';

/**
 * A canonical text for an expression: addresses and prefixes in netaddr's canonical form,
 * numbers in decimal. Two expressions that mean the same constant get the same key, whether
 * they were read from text (`0x00004000`) or JSON (`16384`). Used to match elements on
 * `delete element` and to compare rulesets.
 */
export function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'ip':
      return e.ip.text;
    case 'prefix':
      return e.cidr.text;
    case 'range':
      return `${exprKey(e.from)}-${exprKey(e.to)}`;
    case 'number':
      return String(e.value);
    case 'symbol':
      return e.name;
    case 'list':
      return e.items.map(exprKey).join(',');
    case 'verdict':
      return e.verdict.chain === undefined ? e.verdict.code : `${e.verdict.code} ${e.verdict.chain}`;
    case 'payload':
      return `${e.protocol} ${e.field}`;
    case 'meta':
      return `meta ${e.key}`;
    case 'ct':
      return e.dir ? `ct ${e.dir} ${e.key}` : `ct ${e.key}`;
    case 'fib':
      return `fib ${e.flags.join(' . ')} ${e.result}`;
    case 'numgen':
      return `numgen ${e.mode} mod ${e.mod} offset ${e.offset}`;
    case 'concat':
      return e.parts.map(exprKey).join(' . ');
    case 'binop':
      return `(${exprKey(e.left)} ${e.op} ${exprKey(e.right)})`;
    case 'set':
      return `{ ${e.elements.map((el) => (el.data ? `${exprKey(el.key)} : ${exprKey(el.data)}` : exprKey(el.key))).join(', ')} }`;
    case 'setref':
      return `@${e.name}`;
    case 'map':
      return `${exprKey(e.key)} map ${exprKey(e.data)}`;
    case 'unparsed':
      return `?${e.raw}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}
