// Renders a kustomization of plain YAML the way `kubectl apply -k` does for the features deploy/
// uses (resources: files and directories; images: newName/newTag; patches: JSON 6902 `replace` ops
// with a kind/name target), so tests can check what would be applied. Anything else fails loudly.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
// js-yaml itself, not client-node's loadYaml: that one deserializes into the models, which drops
// the unknown fields the manifest check exists to catch.
import yaml from 'js-yaml';

const loadYaml = <T>(text: string): T => yaml.load(text) as T;
const loadAllYaml = (text: string): unknown[] => yaml.loadAll(text);

type Obj = Record<string, unknown>;
interface Kustomization {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly resources?: readonly string[];
  readonly images?: readonly { name: string; newName?: string; newTag?: string }[];
  readonly patches?: readonly { target: { kind: string; name: string }; patch: string }[];
  readonly [key: string]: unknown;
}

const KNOWN = new Set(['apiVersion', 'kind', 'resources', 'images', 'patches']);

/** The objects `kubectl apply -k dir` would send, in order. */
export function renderKustomization(dir: string): Obj[] {
  const k = loadYaml<Kustomization>(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
  const unknown = Object.keys(k).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) throw new Error(`${dir}/kustomization.yaml: fields this renderer does not support: ${unknown.join(', ')}`);
  if (k.kind !== 'Kustomization') throw new Error(`${dir}/kustomization.yaml: kind must be Kustomization`);
  const objects: Obj[] = [];
  for (const r of k.resources ?? []) {
    const path = join(dir, r);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path));
    else objects.push(...(loadAllYaml(readFileSync(path, 'utf8')) as Obj[]).filter((o) => o !== null));
  }
  for (const image of k.images ?? []) for (const o of objects) setImages(o, image);
  for (const p of k.patches ?? []) {
    const target = objects.find((o) => o.kind === p.target.kind && (o.metadata as Obj | undefined)?.name === p.target.name);
    if (!target) throw new Error(`${dir}: patch target ${p.target.kind}/${p.target.name} not found`);
    for (const op of loadYaml<{ op: string; path: string; value: unknown }[]>(p.patch)) replaceAt(target, op, dir);
  }
  return objects;
}

function containersOf(o: Obj): Obj[] {
  const spec = o.spec as Obj | undefined;
  const podSpec = o.kind === 'Pod' ? spec : ((spec?.template as Obj | undefined)?.spec as Obj | undefined);
  return [...((podSpec?.containers as Obj[] | undefined) ?? []), ...((podSpec?.initContainers as Obj[] | undefined) ?? [])];
}

function setImages(o: Obj, image: { name: string; newName?: string; newTag?: string }): void {
  for (const c of containersOf(o)) {
    const [name, tag] = String(c.image).split(':');
    if (name !== image.name) continue;
    c.image = `${image.newName ?? name}${image.newTag ?? tag ? `:${image.newTag ?? tag}` : ''}`;
  }
}

function replaceAt(target: Obj, op: { op: string; path: string; value: unknown }, dir: string): void {
  if (op.op !== 'replace') throw new Error(`${dir}: only "replace" patches are supported, got "${op.op}"`);
  const keys = op.path.split('/').slice(1);
  let node: unknown = target;
  for (const key of keys.slice(0, -1)) node = (node as Obj)?.[key];
  const last = keys[keys.length - 1]!;
  if (typeof node !== 'object' || node === null || !(last in node)) throw new Error(`${dir}: patch path ${op.path} does not exist`);
  (node as Obj)[last] = op.value;
}
