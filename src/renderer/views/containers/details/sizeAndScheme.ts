/**
 * Calls `resized` whenever `element` changes size, and `recolour` when the system switches between
 * light and dark: what a canvas-drawn view (a terminal, a chart) must redo itself. Returns what stops both.
 */
export function followSizeAndScheme(element: HTMLElement, resized: () => void, recolour: () => void): () => void {
  const observer = new ResizeObserver(resized);
  observer.observe(element);
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  scheme.addEventListener('change', recolour);
  return () => {
    observer.disconnect();
    scheme.removeEventListener('change', recolour);
  };
}
