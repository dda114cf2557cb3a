// Checks a manifest object against the Kubernetes object models @kubernetes/client-node ships
// (generated from the API's OpenAPI): every field must be one the model names (unknown fields,
// misspellings and fields at the wrong level fail) and of the model's type.
import * as k8s from '@kubernetes/client-node';

interface Attribute {
  readonly name: string;
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}
type Model = { getAttributeTypeMap(): readonly Attribute[] };

/** apiVersion → the prefix client-node gives that group's models (V1, and so on). */
const GROUP_VERSIONS: Readonly<Record<string, string>> = {
  v1: 'V1',
  'apps/v1': 'V1',
  'rbac.authorization.k8s.io/v1': 'V1',
  'networking.k8s.io/v1': 'V1',
  'policy/v1': 'V1',
  'batch/v1': 'V1',
};

function model(type: string): Model | undefined {
  const m = (k8s as unknown as Record<string, unknown>)[type];
  return typeof m === 'function' && 'getAttributeTypeMap' in m ? (m as unknown as Model) : undefined;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Problems with one value of a client-node type string, at a path like `spec.template.spec`. */
function check(value: unknown, type: string, format: string, path: string, out: string[]): void {
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return void out.push(`${path}: expected a list (${type})`);
    value.forEach((v, i) => check(v, array[1]!, '', `${path}[${i}]`, out));
  } else if (map) {
    if (!isObject(value)) return void out.push(`${path}: expected a map (${type})`);
    for (const [k, v] of Object.entries(value)) check(v, map[1]!, '', `${path}.${k}`, out);
  } else if (type === 'string' || type === 'Date') {
    if (typeof value !== 'string') out.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
  } else if (type === 'number') {
    if (typeof value !== 'number' || (format.startsWith('int') && !Number.isInteger(value))) out.push(`${path}: expected ${format || 'a number'}, got ${JSON.stringify(value)}`);
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') out.push(`${path}: expected true or false, got ${JSON.stringify(value)}`);
  } else if (type === 'IntOrString') {
    if (typeof value !== 'string' && !Number.isInteger(value)) out.push(`${path}: expected a port name or number, got ${JSON.stringify(value)}`);
  } else if (type === 'any' || type === 'object') {
    return;
  } else {
    const m = model(type);
    if (!m) return void out.push(`${path}: no model ${type} in @kubernetes/client-node`);
    if (!isObject(value)) return void out.push(`${path}: expected an object (${type})`);
    const attrs = new Map(m.getAttributeTypeMap().map((a) => [a.baseName, a]));
    for (const [k, v] of Object.entries(value)) {
      const a = attrs.get(k);
      if (!a) out.push(`${path}.${k}: unknown field of ${type}`);
      else if (v !== null) check(v, a.type, a.format, `${path}.${k}`, out);
    }
  }
}

/**
 * Problems of one manifest object (empty when valid), each naming its path: unknown kinds and
 * API versions, unknown fields, wrong types.
 */
export function validateK8sObject(obj: unknown): string[] {
  if (!isObject(obj)) return ['not an object'];
  const prefix = GROUP_VERSIONS[String(obj.apiVersion)];
  const name = `${String(obj.kind)}/${String(isObject(obj.metadata) ? obj.metadata.name : '?')}`;
  if (!prefix) return [`${name}: apiVersion ${String(obj.apiVersion)} is not one this check knows`];
  const type = `${prefix}${String(obj.kind)}`;
  if (!model(type)) return [`${name}: no model ${type} in @kubernetes/client-node`];
  const out: string[] = [];
  check(obj, type, '', name, out);
  return out;
}
