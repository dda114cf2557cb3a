/**
 * Test support: writes kubeconfig files and exec credential plugins into a temp directory, the
 * way a user's machine has them. Used only by the *.test.ts files beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCluster {
  readonly name: string;
  readonly server: string;
  /** PEM; written as certificate-authority-data. */
  readonly caPem?: string;
  /** Path written as certificate-authority (may be relative to the kubeconfig). */
  readonly caFile?: string;
}
export type TestUser =
  | { readonly name: string; readonly token: string }
  | {
      readonly name: string;
      readonly exec: {
        readonly command: string;
        readonly args?: readonly string[];
        readonly provideClusterInfo?: boolean;
      };
    };
export interface TestContext {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string;
}
export interface TestKubeconfig {
  readonly clusters: readonly TestCluster[];
  readonly users: readonly TestUser[];
  readonly contexts: readonly TestContext[];
  readonly currentContext?: string;
}

export function makeTempDir(prefix = 'svcpath-cluster-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a kubeconfig in the YAML layout kubectl writes, returns its path. */
export function writeKubeconfig(file: string, config: TestKubeconfig): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const cluster of config.clusters) {
    lines.push('- cluster:');
    if (cluster.caPem)
      lines.push(`    certificate-authority-data: ${Buffer.from(cluster.caPem).toString('base64')}`);
    if (cluster.caFile) lines.push(`    certificate-authority: ${cluster.caFile}`);
    lines.push(`    server: ${cluster.server}`, `  name: ${cluster.name}`);
  }
  lines.push('contexts:');
  for (const context of config.contexts) {
    lines.push('- context:', `    cluster: ${context.cluster}`);
    if (context.namespace) lines.push(`    namespace: ${context.namespace}`);
    lines.push(`    user: ${context.user}`, `  name: ${context.name}`);
  }
  lines.push(`current-context: ${config.currentContext ?? '""'}`, 'preferences: {}', 'users:');
  for (const user of config.users) {
    lines.push(`- name: ${user.name}`, '  user:');
    if ('token' in user) {
      lines.push(`    token: ${user.token}`);
    } else {
      lines.push(
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1',
        `      command: ${user.exec.command}`,
      );
      if (user.exec.args)
        lines.push('      args:', ...user.exec.args.map((arg) => `      - ${JSON.stringify(arg)}`));
      lines.push(
        '      env: null',
        '      interactiveMode: Never',
        `      provideClusterInfo: ${user.exec.provideClusterInfo ?? false}`,
      );
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/**
 * Writes an exec credential plugin: a shell script that prints an ExecCredential with `token`
 * (as aws eks get-token or gke-gcloud-auth-plugin do) and saves the KUBERNETES_EXEC_INFO it got
 * and a count of its runs beside itself.
 */
export function writeExecPlugin(file: string, token: string): string {
  const dir = path.dirname(file);
  const credential = JSON.stringify({
    kind: 'ExecCredential',
    apiVersion: 'client.authentication.k8s.io/v1',
    spec: { interactive: false },
    status: { expirationTimestamp: '2099-01-01T00:00:00Z', token },
  });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    file,
    [
      '#!/bin/sh',
      `printf '%s' "$KUBERNETES_EXEC_INFO" > '${dir}/exec-info.json'`,
      `echo run >> '${dir}/exec-runs.txt'`,
      `cat <<'EOF'`,
      credential,
      'EOF',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return file;
}
