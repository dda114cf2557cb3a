/** Test support: the fixture cluster of fixtures/ as the fake API server's objects. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeResource } from './fake-apiserver.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function items(file: string): unknown[] {
  const list = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as { items: unknown[] };
  return list.items;
}

/** Every fixture object, by resource. */
export function fixtureObjects(): Record<FakeResource, unknown[]> {
  return {
    services: items('services.json'),
    endpointslices: items('endpointslices.json'),
    endpoints: items('endpoints.json'),
    pods: items('pods.json'),
    nodes: items('nodes.json'),
    configmaps: [
      JSON.parse(fs.readFileSync(path.join(FIXTURES, 'configmap-kube-proxy.json'), 'utf8')) as unknown,
    ],
  };
}

/** The fake password planted in fixtures/pods.json (env and last-applied annotation). */
export const PLANTED_SECRET = 'fixture-secret-hunter2';
