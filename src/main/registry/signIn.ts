import type Docker from 'dockerode';
import { BerthError } from '../api/errors';
import type { RegistryLogin } from '../api/registry';
import { refusal } from '../engine/client';
import { DOCKER_HUB, normalizeServer, storeLogin, TOKEN_USERNAME } from './logins';

const WRONG_CREDENTIALS = /unauthorized|incorrect username or password|authentication required|status: 401|invalid username\/password|denied/i;
const UNKNOWN_AUTHORITY = /x509: certificate signed by unknown authority|certificate is not trusted|failed to verify certificate/i;
const TLS_FAILURE = /x509:|tls:|certificate/i;
const UNKNOWN_HOST = /no such host|server misbehaving|name resolution/i;
const DOWN = /connection refused|i\/o timeout|context deadline exceeded|network is unreachable|no route to host|handshake timeout|EOF/i;

const shown = (server: string): string => (server === DOCKER_HUB ? 'Docker Hub' : server);

/** Why the engine would not sign in to `server`, in terms of what the user can change. */
export function signInError(server: string, said: string): BerthError {
  const name = shown(server);
  if (UNKNOWN_AUTHORITY.test(said)) {
    return new BerthError(
      'RegistryCertificateUnknown',
      `${name} presented a certificate from an authority the engine does not know: ${said}`,
      "Add this registry's CA certificate in Settings (Registries, Registry settings), apply, then sign in again.",
    );
  }
  if (TLS_FAILURE.test(said)) {
    return new BerthError('RegistryTlsFailed', `The secure connection to ${name} failed: ${said}`, "Check the registry's certificate (its names and dates), or add its CA certificate in Registry settings.");
  }
  if (/server gave HTTP response to HTTPS client/i.test(said)) {
    return new BerthError('RegistryNotHttps', `${name} answers in plain HTTP, and the engine uses only HTTPS with it.`, 'Serve the registry over HTTPS, or add it under Insecure registries in Registry settings.');
  }
  if (UNKNOWN_HOST.test(said)) {
    return new BerthError('RegistryUnknownHost', `There is no registry host ${name}: ${said}`, 'Check the server name for typos. With the host-only network setting the engine reaches only this computer, as host.docker.internal.');
  }
  if (DOWN.test(said)) {
    return new BerthError('RegistryUnreachable', `Cannot reach ${name}: ${said}`, "Check that the registry is running and that its address and port are right, then sign in again.");
  }
  if (WRONG_CREDENTIALS.test(said)) {
    return new BerthError('RegistryCredentialsRefused', `${name} refused the username or password.`, 'Check both (a token works in place of the password, and may need the right scopes), then sign in again.');
  }
  return new BerthError('SignInFailed', `Could not sign in to ${name}: ${said}`, "The registry's answer says why; check the server, username and password.");
}

/**
 * Signs in as `docker login` does: the engine checks the credentials with the registry first, and only
 * then does the credential helper store them. A failure stores nothing.
 */
export async function signIn(docker: Docker, env: NodeJS.ProcessEnv, request: { server: string; username: string; password: string }): Promise<RegistryLogin> {
  const server = normalizeServer(request.server);
  let answer: { IdentityToken?: string } | undefined;
  try {
    answer = (await docker.checkAuth({ username: request.username, password: request.password, serveraddress: server })) as { IdentityToken?: string } | undefined;
  } catch (error) {
    throw signInError(server, refusal(error).said);
  }
  // A registry that answers with an identity token wants it kept instead of the password, as the CLI does.
  const token = answer?.IdentityToken;
  const stored = await storeLogin(env, { server, username: token ? TOKEN_USERNAME : request.username, secret: token || request.password });
  return token ? { server: stored.server, username: request.username } : stored;
}
