import { useEffect, useState } from 'react';

/**
 * True once the frame that showed `key`'s content has been painted: `ready` says the content is
 * rendered; the answer turns true in the first task after the next animation frame (a callback of
 * requestAnimationFrame runs before that frame's paint, a timeout set there runs after it). Work
 * that would otherwise share the paint's task (starting a request costs the main thread tens of ms
 * on a busy machine) waits for it. A new `key` (another snapshot) waits for its own paint.
 */
export function useAfterPaint(key: string, ready: boolean): boolean {
  const [painted, setPainted] = useState<string | null>(null);
  useEffect(() => {
    if (!ready || painted === key) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => setPainted(key), 0)));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [key, ready, painted]);
  return painted === key;
}
