import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The names a test server answers to: the guest's name for the host, and the host's own loopback. */
export const SERVER_NAMES = ['DNS:host.docker.internal', 'DNS:localhost', 'IP:127.0.0.1'];

/** A throwaway CA and one server certificate it signed, all files under one folder. */
export interface TestCa {
  /** PEM text of the CA certificate: what a client must trust. */
  caCert: string;
  caCertPath: string;
  /** The server's certificate and key, for the server's TLS config. */
  certPath: string;
  keyPath: string;
}

// Our own config, so the result does not depend on /etc/ssl/openssl.cnf, whose default
// x509_extensions would otherwise mark the server certificate as a CA too.
function opensslConfig(names: string[]): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    '[ca]',
    'basicConstraints = critical, CA:TRUE, pathlen:0',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    '[server]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = ${names.join(', ')}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n');
}

// P-256 keys: generated in milliseconds where RSA takes noticeably longer, and accepted by Go's TLS and Node's alike.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-noenc'];

/** Makes the CA and a server certificate (valid 1 day) in `dir`; whoever owns `dir` removes them with it. */
export async function makeTestCa(dir: string, names: string[] = SERVER_NAMES): Promise<TestCa> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const config = join(dir, 'openssl.cnf');
  writeFileSync(config, opensslConfig(names));
  const caCertPath = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const certPath = join(dir, 'server.crt');
  const keyPath = join(dir, 'server.key');
  const req = ['req', '-config', config, '-x509', ...NEW_KEY, '-days', '1'];
  await run('openssl', [...req, '-keyout', caKey, '-out', caCertPath, '-subj', '/CN=Berth test CA', '-extensions', 'ca']);
  // OpenSSL 3's `req -x509 -CA` signs the new server key with the CA in one step, without a CSR file.
  await run('openssl', [
    ...req,
    '-keyout', keyPath,
    '-out', certPath,
    '-subj', '/CN=host.docker.internal',
    '-CA', caCertPath,
    '-CAkey', caKey,
    '-extensions', 'server',
  ]);
  return { caCert: readFileSync(caCertPath, 'utf8'), caCertPath, certPath, keyPath };
}
