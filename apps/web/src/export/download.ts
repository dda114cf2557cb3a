/** Saves a blob under `name` through a temporary link (the browser's own download). */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from the view: `svcpath-demo-node-1-ns4-svc4.png`. */
export function fileName(parts: readonly (string | undefined)[], ext: string): string {
  const base = ['svcpath', ...parts.filter(Boolean)].join('-').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-+/g, '-');
  return `${base}.${ext}`;
}
