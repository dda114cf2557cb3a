import { useState } from 'react';
import type { Scene } from '../export/svg-scene';
import { sceneToSvg } from '../export/svg-scene';
import { svgToPng } from '../export/svg-to-png';
import { download, fileName } from '../export/download';

/** PNG and SVG of the current graph view, and a Markdown summary citing rule lines. */
export function ExportButtons({ capture, markdown, nameParts }: { capture: (() => Scene) | null; markdown: () => string | null; nameParts: readonly (string | undefined)[] }) {
  const [busy, setBusy] = useState(false);
  const svgOf = () => {
    const scene = capture?.();
    return scene ? { scene, svg: sceneToSvg(scene) } : null;
  };
  return (
    <div className="export-buttons" role="group" aria-label="Export">
      <button
        type="button"
        disabled={!capture || busy}
        onClick={async () => {
          const s = svgOf();
          if (!s) return;
          setBusy(true);
          try {
            download(fileName(nameParts, 'png'), await svgToPng(s.svg, s.scene.width, s.scene.height));
          } finally {
            setBusy(false);
          }
        }}
      >
        PNG
      </button>
      <button
        type="button"
        disabled={!capture}
        onClick={() => {
          const s = svgOf();
          if (s) download(fileName(nameParts, 'svg'), new Blob([s.svg], { type: 'image/svg+xml' }));
        }}
      >
        SVG
      </button>
      <button
        type="button"
        onClick={() => {
          const md = markdown();
          if (md) download(fileName(nameParts, 'md'), new Blob([md], { type: 'text/markdown' }));
        }}
      >
        Markdown
      </button>
    </div>
  );
}
