import { useLayoutEffect, useRef, useState } from 'react';

/**
 * The content width (px) of the element `ref` is attached to, kept current with a ResizeObserver: the same table
 * sits in a dashboard panel of any size and in full-width app pages, so it adapts to its box, not to the window.
 * Undefined until measured, and where the browser has no ResizeObserver (then callers show everything).
 */
export function useContainerWidth<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState<number | undefined>(undefined);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') {
      return;
    }
    // Whole pixels, so sub-pixel jitter during a resize does not re-render the table.
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}
