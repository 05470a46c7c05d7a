/**
 * An extension's description and changelog labels hold plain text or HTML written by its publisher. The
 * window never inserts that HTML: it reads it in an inert document (no scripts run, nothing loads) and
 * keeps only its text, its paragraphs and list items, and its web links, which the view renders as text.
 */

export interface Part {
  text: string;
  /** An http(s) link the text is, or null. */
  href: string | null;
}

export interface Block {
  kind: 'paragraph' | 'item' | 'heading';
  parts: Part[];
}

/** What the walk reads of a DOM node; a parsed document's nodes have it. */
export interface NodeLike {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<NodeLike>;
  getAttribute?(name: string): string | null;
}

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;
const DOCUMENT_NODE = 9;
const FRAGMENT_NODE = 11;
const HEADING = /^H[1-6]$/;
const SKIPPED = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'HEAD', 'TITLE', 'NOSCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'IMG', 'VIDEO', 'AUDIO', 'CANVAS', 'FORM', 'INPUT', 'BUTTON', 'SELECT', 'TEXTAREA']);
const BLOCKS = new Set(['P', 'DIV', 'SECTION', 'ARTICLE', 'HEADER', 'FOOTER', 'BLOCKQUOTE', 'PRE', 'UL', 'OL', 'DL', 'DT', 'DD', 'TABLE', 'TR', 'HR', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6']);
const LOOKS_LIKE_HTML = /<\/?[a-z][^>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i;

/** `href` when it is an absolute http or https address, else null: no javascript:, data: or relative links. */
export function webLink(href: string | null | undefined): string | null {
  if (!href) return null;
  try {
    const url = new URL(href.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Plain text: paragraphs are separated by blank lines; single line breaks stay (the view keeps them). */
function plainBlocks(text: string): Block[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => ({ kind: 'paragraph' as const, parts: [{ text: paragraph, href: null }] }));
}

/** The text and links of a parsed document's body, in blocks. */
export function blocksOfNode(root: NodeLike): Block[] {
  const blocks: Block[] = [];
  let parts: Part[] = [];
  let kind: Block['kind'] = 'paragraph';

  const flush = (): void => {
    const first = parts[0];
    const last = parts[parts.length - 1];
    if (first) first.text = first.text.trimStart();
    if (last) last.text = last.text.trimEnd();
    const kept = parts.filter((part) => part.text);
    if (kept.length) blocks.push({ kind, parts: kept });
    parts = [];
  };

  const add = (text: string, href: string | null): void => {
    const collapsed = text.replace(/\s+/g, ' ');
    if (!collapsed) return;
    const previous = parts[parts.length - 1];
    // A space at a block's start, or after another, says nothing.
    const trimmed = !previous || previous.text.endsWith(' ') ? collapsed.trimStart() : collapsed;
    if (!trimmed) return;
    if (previous && previous.href === href) previous.text += trimmed;
    else parts.push({ text: trimmed, href });
  };

  const visit = (node: NodeLike, href: string | null, context: Block['kind']): void => {
    if (node.nodeType === TEXT_NODE) return add(node.textContent ?? '', href);
    if (node.nodeType !== ELEMENT_NODE && node.nodeType !== DOCUMENT_NODE && node.nodeType !== FRAGMENT_NODE) return;
    const name = node.nodeName.toUpperCase();
    if (SKIPPED.has(name)) return;
    if (name === 'BR') return flush();
    const link = name === 'A' ? webLink(node.getAttribute?.('href')) : href;
    if (!BLOCKS.has(name)) {
      for (const child of Array.from(node.childNodes)) visit(child, link, context);
      return;
    }
    flush();
    const inner = name === 'LI' ? 'item' : HEADING.test(name) ? 'heading' : context;
    kind = inner;
    for (const child of Array.from(node.childNodes)) visit(child, link, inner);
    flush();
    kind = context;
  };

  visit(root, null, 'paragraph');
  flush();
  return blocks;
}

const parseHtml = (html: string): NodeLike => new DOMParser().parseFromString(html, 'text/html').body;

/** A label's text in blocks, read as HTML when it looks like HTML, else as plain text. */
export function labelBlocks(text: string, parse: (html: string) => NodeLike = parseHtml): Block[] {
  if (!text.trim()) return [];
  return LOOKS_LIKE_HTML.test(text) ? blocksOfNode(parse(text)) : plainBlocks(text);
}
