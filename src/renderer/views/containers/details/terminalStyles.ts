/**
 * xterm.js writes the rules it computes (cell sizes, theme colours) into <style> elements, which the
 * window's policy (style-src 'self') refuses to apply. Each is mirrored into a constructed stylesheet,
 * which the policy allows, and taken out of the page: xterm keeps rewriting it there, the mirror
 * follows, and the policy has nothing left to refuse. Returns what undoes the mirroring.
 */
export function mirrorInlineStyles(root: HTMLElement): () => void {
  const mirrors = new Map<HTMLStyleElement, CSSStyleSheet>();
  const sync = (element: HTMLStyleElement): void => {
    mirrors.get(element)?.replaceSync(element.textContent ?? '');
  };
  const rewritten = new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      const target = mutation.target.nodeType === Node.TEXT_NODE ? mutation.target.parentNode : mutation.target;
      if (target instanceof HTMLStyleElement) sync(target);
    }
  });
  const adopt = (element: HTMLStyleElement): void => {
    if (mirrors.has(element)) return;
    const sheet = new CSSStyleSheet();
    mirrors.set(element, sheet);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    rewritten.observe(element, { childList: true, subtree: true, characterData: true });
    sync(element);
    element.remove();
  };
  // The terminal redraws its rows constantly: only added style elements are looked at.
  const added = new MutationObserver((mutations) => {
    for (const mutation of mutations) for (const node of mutation.addedNodes) if (node instanceof HTMLStyleElement) adopt(node);
  });
  added.observe(root, { childList: true, subtree: true });
  root.querySelectorAll('style').forEach(adopt);
  return () => {
    added.disconnect();
    rewritten.disconnect();
    const sheets = new Set(mirrors.values());
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((sheet) => !sheets.has(sheet));
  };
}
