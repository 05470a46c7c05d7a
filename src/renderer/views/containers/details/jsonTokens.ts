export type TokenKind = 'key' | 'string' | 'number' | 'literal' | 'plain';

export interface Token {
  kind: TokenKind;
  text: string;
}

// A JSON string (a key when a colon follows), a number, true/false/null; anything between is plain.
const TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;

/** Pretty JSON cut into pieces to colour, so the Inspect tab reads like an editor rather than a wall of text. */
export function jsonTokens(value: unknown): Token[] {
  const text = JSON.stringify(value, null, 2) ?? '';
  const tokens: Token[] = [];
  let from = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (match.index > from) tokens.push({ kind: 'plain', text: text.slice(from, match.index) });
    if (match[1] !== undefined) {
      tokens.push({ kind: match[2] ? 'key' : 'string', text: match[1] });
      if (match[2]) tokens.push({ kind: 'plain', text: match[2] });
    } else {
      tokens.push({ kind: match[3] !== undefined ? 'number' : 'literal', text: match[0] });
    }
    from = match.index + match[0].length;
  }
  if (from < text.length) tokens.push({ kind: 'plain', text: text.slice(from) });
  return tokens;
}
