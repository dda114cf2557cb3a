import { useEffect, useRef, useState } from 'react';
import type { Poster, Scene } from '../export/svg-scene';
import { sceneToSvg } from '../export/svg-scene';
import { svgToPng } from '../export/svg-to-png';
import { download, fileName } from '../export/download';
import type { Redaction } from '../export/redaction';
import { useViewState } from '../use-view-state';

// Redaction (and the zod schemas it reads snapshots with) loads on the first export, not with the page.
const redactionModule = () => import('../export/redaction');

const json = (value: unknown) => new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });

/**
 * PNG and SVG of the current graph view, a Markdown summary citing rule lines, and the snapshot
 * itself. "Redact names and IPs" makes all four use the server's redaction (@svcpath/redact): the
 * snapshot is downloaded redacted and the pictures' labels go through the same mapping.
 */
export function ExportButtons({ capture, poster, markdown, nameParts }: { capture: (() => Scene) | null; poster: () => Poster | null; markdown: () => string | null; nameParts: readonly (string | undefined)[] }) {
  const [busy, setBusy] = useState(false);
  const [redact, setRedact] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [view] = useViewState();
  const snapshotId = view.snapshot;
  // One redaction per snapshot for this page: its seed is the page's, so every export agrees.
  const cache = useRef(new Map<string, Promise<Redaction>>());
  const redaction = (): Promise<Redaction | null> => {
    if (!redact || !snapshotId) return Promise.resolve(null);
    let p = cache.current.get(snapshotId);
    if (!p) {
      p = redactionModule().then((m) => m.fetchRedaction(snapshotId));
      p.catch(() => cache.current.delete(snapshotId));
      cache.current.set(snapshotId, p);
    }
    return p;
  };
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(`export failed: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const prepared = async () => {
    const r = await redaction();
    const { redactScene, redactText } = await redactionModule();
    const drawn = capture?.() ?? null;
    const told = poster();
    const scene = drawn && told ? { ...drawn, poster: told } : drawn;
    const name = (ext: string) => fileName(r ? nameParts.map((p) => p && redactText(p, r.mapping)) : nameParts, ext);
    return { r, name, scene: scene && r ? redactScene(scene, r.mapping) : scene };
  };
  return (
    <div className="export-buttons" role="group" aria-label="Export">
      <span className="export-head">Export</span>
      <button
        type="button"
        disabled={!capture || busy}
        onClick={() =>
          run(async () => {
            const { scene, name } = await prepared();
            if (!scene) return;
            const doc = sceneToSvg(scene);
            download(name('png'), await svgToPng(doc.svg, doc.width, doc.height));
          })
        }
      >
        PNG
      </button>
      <button
        type="button"
        disabled={!capture || busy}
        onClick={() =>
          run(async () => {
            const { scene, name } = await prepared();
            if (scene) download(name('svg'), new Blob([sceneToSvg(scene).svg], { type: 'image/svg+xml' }));
          })
        }
      >
        SVG
      </button>
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          run(async () => {
            const { r, name } = await prepared();
            const md = markdown();
            const { redactMarkdown } = await redactionModule();
            if (md) download(name('md'), new Blob([r ? redactMarkdown(md, r.mapping, window.location.href) : md], { type: 'text/markdown' }));
          })
        }
      >
        Markdown
      </button>
      <button
        type="button"
        disabled={!snapshotId || busy}
        title={redact ? 'The snapshot with names and addresses replaced (it traces the same way)' : 'The snapshot as stored'}
        onClick={() =>
          run(async () => {
            if (!snapshotId) return;
            const r = await redaction();
            const doc = r ? r.snapshot : await (await redactionModule()).fetchSnapshotDocument(snapshotId);
            download(`${doc.id}.svcpath.json`, json(doc));
          })
        }
      >
        Snapshot
      </button>
      <label className="export-redact" title="Replace Namespace, Service, Pod and Node names and IP addresses with consistent pseudonyms in every export">
        <input type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} /> Redact names and IPs
      </label>
      {error && (
        <span className="export-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * The export choices behind one header button, so the header stays one row at 1280 px. The panel
 * stays mounted (hidden) so the redaction choice survives closing it; Escape or a click outside
 * closes it.
 */
export function ExportMenu(props: Parameters<typeof ExportButtons>[0]) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onDown = (e: MouseEvent) => !root.current?.contains(e.target as Node) && setOpen(false);
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onDown);
    };
  }, [open]);
  return (
    <div className="export-menu" ref={root}>
      <button type="button" aria-expanded={open} aria-controls="export-panel" onClick={() => setOpen((o) => !o)}>
        Export ▾
      </button>
      <div id="export-panel" className="export-panel" hidden={!open}>
        <ExportButtons {...props} />
      </div>
    </div>
  );
}
