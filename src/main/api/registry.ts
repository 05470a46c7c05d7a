import { z } from 'zod';
import { call, event, stream } from './channel';

/** Docker Hub's key in config.json and in every credential helper, as `docker login` files it. */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

/** host[:port], as the engine and config.json name a registry (no scheme, no path); Docker Hub by its key. */
export const RegistryServer = z
  .string()
  .trim()
  .refine(
    (text) => text === DOCKER_HUB_SERVER || /^(?=.{1,253}(:|$))[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/.test(text),
    'a registry host, optionally with a port, such as ghcr.io or registry.example.com:5000 (no https:// and no path)',
  );

/** An insecure registry: host[:port] or an IPv4 CIDR, as daemon.json's insecure-registries takes them. */
export const InsecureRegistry = z
  .string()
  .trim()
  .refine(
    (text) => /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(text) || RegistryServer.safeParse(text).success,
    'a registry host[:port] such as registry.local:5000, or a CIDR such as 10.0.2.2/32',
  );

/** One PEM certificate (or several, concatenated): what a registry's CA file holds. */
export const PemCertificate = z
  .string()
  .trim()
  .max(64 * 1024, 'a certificate file of at most 64 KB')
  .regex(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/, 'a PEM certificate: text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----');

export const RegistryLogin = z.object({ server: z.string(), username: z.string() });
export type RegistryLogin = z.infer<typeof RegistryLogin>;

export const RegistryLogins = z.object({ logins: z.array(RegistryLogin) });

export const RegistryCertificate = z.object({ server: RegistryServer, ca: PemCertificate });
export type RegistryCertificate = z.infer<typeof RegistryCertificate>;

/** What the engine trusts beyond the usual: a CA per registry, and registries it may reach without verified TLS. */
export const RegistrySettings = z.object({
  certificates: z.array(RegistryCertificate).max(100),
  insecure: z.array(InsecureRegistry).max(100),
});
export type RegistrySettings = z.infer<typeof RegistrySettings>;

/** How applying settings goes: each named step as it starts and ends (the engine restarts in between). */
export const ApplyProgress = z.object({ step: z.string(), label: z.string(), state: z.enum(['running', 'done']) });
export type ApplyProgress = z.infer<typeof ApplyProgress>;

const Empty = z.object({}).strict();

// channel                       request                                                                          reply
export const registry = {
  'registry.logins': call(Empty, RegistryLogins),
  /** Checked with the registry through the engine before anything is stored. */
  'registry.signIn': call(z.object({ server: RegistryServer, username: z.string().min(1).max(256), password: z.string().min(1).max(4096) }).strict(), RegistryLogin),
  'registry.signOut': call(z.object({ server: z.string().min(1).max(300) }).strict(), RegistryLogins),
  /** The list again whenever it changed, also by `docker login` or `docker logout` in a terminal. */
  'registry.changed': event(RegistryLogins),
  'registry.settings': call(Empty, RegistrySettings),
  /** Saves the settings, writes them into the guest and restarts the engine there. */
  'registry.apply': stream(RegistrySettings.strict(), ApplyProgress),
};
