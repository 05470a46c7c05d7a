/**
 * What a diagnostics bundle must not carry, found by the shape of what holds it: a value after a word that
 * names a secret (password, token, secret, auth, key) in JSON, in a query string or a header, and the
 * credentials of a URL. The bundle's files are text made by Berth, its guest and dockerd.
 */
const SECRET_WORD = String.raw`[A-Za-z0-9_-]*(?:passw(?:or)?d|token|secret|auth|api[_-]?key|private[_-]?key)[A-Za-z0-9_-]*`;

const PATTERNS: Array<[RegExp, string]> = [
  // "password": "...", "identitytoken": "..." (JSON, and its escaped form in logs)
  [new RegExp(String.raw`(\\?"${SECRET_WORD}\\?"\s*:\s*\\?")((?:[^"\\]|\\.)*?)(\\?")`, 'gi'), '$1[redacted]$3'],
  // token=..., password: ..., Authorization: Bearer ...
  [new RegExp(String.raw`\b(${SECRET_WORD})(=|:\s*)((?:Basic|Bearer)\s+)?([^\s&"',;]+)`, 'gi'), '$1$2$3[redacted]'],
  // https://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi, '$1[redacted]@'],
  // PEM private keys, whole
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted private key]'],
];

export function redact(text: string): string {
  return PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
