import { describe, expect, it } from 'vitest';
import { labelBlocks, webLink, type NodeLike } from './labelText';

/** A tiny stand-in for a parsed document: elements as [name, attributes, ...children], text as strings. */
type Tree = string | [string, Record<string, string>, ...Tree[]];
const node = (tree: Tree): NodeLike =>
  typeof tree === 'string'
    ? { nodeType: 3, nodeName: '#text', textContent: tree, childNodes: [] }
    : { nodeType: 1, nodeName: tree[0].toUpperCase(), textContent: null, childNodes: tree.slice(2).map((child) => node(child as Tree)), getAttribute: (name) => tree[1][name] ?? null };
const parsedAs = (tree: Tree) => () => node(tree);
const texts = (blocks: ReturnType<typeof labelBlocks>) => blocks.map((block) => `${block.kind}: ${block.parts.map((part) => (part.href ? `[${part.text}](${part.href})` : part.text)).join('')}`);

describe('label text', () => {
  it('reads plain text as paragraphs split at blank lines, keeping single line breaks', () => {
    expect(texts(labelBlocks('First line\nsecond line\n\n  Next paragraph  \n\n\n'))).toEqual(['paragraph: First line\nsecond line', 'paragraph: Next paragraph']);
    expect(labelBlocks('   ')).toEqual([]);
  });

  it('keeps the text, paragraphs, list items and web links of HTML, and drops scripts, images and other links', () => {
    const html = '<h2>New</h2><p>Fixed   <b>two</b> bugs</p>';
    const tree: Tree = [
      'body',
      {},
      ['h2', {}, 'New'],
      ['p', {}, 'Fixed   ', ['b', {}, 'two'], ' bugs, see ', ['a', { href: 'https://example.com/notes' }, 'the notes'], '.'],
      ['script', {}, 'alert(1)'],
      ['ul', {}, ['li', {}, 'one'], ['li', {}, ['a', { href: 'javascript:alert(1)' }, 'two']]],
      ['img', { src: 'https://tracker.example/x.png' }],
      'trailing',
      ['br', {}],
      'after a break',
    ];
    expect(texts(labelBlocks(html, parsedAs(tree)))).toEqual([
      'heading: New',
      'paragraph: Fixed two bugs, see [the notes](https://example.com/notes).',
      'item: one',
      'item: two',
      'paragraph: trailing',
      'paragraph: after a break',
    ]);
  });

  it('takes only absolute http and https links', () => {
    expect(webLink('https://example.com/a b')).toBe('https://example.com/a%20b');
    expect(webLink('http://example.com')).toBe('http://example.com/');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', '/relative', '', null]) expect(webLink(bad)).toBeNull();
  });
});
