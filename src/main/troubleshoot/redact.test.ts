import { describe, expect, it } from 'vitest';
import { redact } from './redact';

describe('redact', () => {
  it('hides the values of secrets in JSON, query strings, headers and URLs, and nothing else', () => {
    const text = [
      '{"username":"ada","password":"hunter2","identitytoken":"eyJabc","serveraddress":"ghcr.io"}',
      'GET /?token=Zm9vYmFy&x=1 HTTP/1.1',
      'Authorization: Bearer abc.def.ghi',
      'X-Registry-Auth: eyJ1c2VybmFtZSI6ImFkYSJ9',
      'pushing to https://ada:s3cret@registry.test/v2/',
      'logged: {\\"password\\":\\"escaped-secret\\"}',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----',
      'engine running -> stopping; step ssh done in 33 ms',
    ].join('\n');
    const out = redact(text);
    for (const secret of ['hunter2', 'eyJabc', 'Zm9vYmFy', 'abc.def.ghi', 'eyJ1c2VybmFtZSI6ImFkYSJ9', 's3cret', 'escaped-secret', 'b3BlbnNzaC1rZXk=']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('"username":"ada"');
    expect(out).toContain('"serveraddress":"ghcr.io"');
    expect(out).toContain('Authorization: Bearer [redacted]');
    expect(out).toContain('https://ada:[redacted]@registry.test/v2/');
    expect(out).toContain('engine running -> stopping; step ssh done in 33 ms');
  });
});
