import { describe, expect, it } from 'vitest';
import { signInError } from './signIn';

describe('sign-in errors', () => {
  it('names what went wrong with the words the engine uses for each failure', () => {
    const server = 'host.docker.internal:5000';
    const cases: Array<[string, string, RegExp]> = [
      ['Get "https://host.docker.internal:5000/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority', 'RegistryCertificateUnknown', /CA certificate in Settings/],
      ['login attempt to https://host.docker.internal:5000/v2/ failed with status: 401 Unauthorized', 'RegistryCredentialsRefused', /Check both/],
      ['Get "https://nope.invalid/v2/": dial tcp: lookup nope.invalid on 10.0.2.15:53: no such host', 'RegistryUnknownHost', /typos/],
      ['Get "https://host.docker.internal:5000/v2/": dial tcp 10.0.2.2:5000: connect: connection refused', 'RegistryUnreachable', /running/],
      ['Get "https://host.docker.internal:5000/v2/": http: server gave HTTP response to HTTPS client', 'RegistryNotHttps', /Insecure registries/],
    ];
    for (const [said, name, hint] of cases) {
      const error = signInError(server, said);
      expect(error.name).toBe(name);
      expect(error.hint).toMatch(hint);
    }
    expect(signInError('https://index.docker.io/v1/', 'unauthorized: incorrect username or password').message).toBe('Docker Hub refused the username or password.');
  });
});
