import { z } from 'zod';
import { call, event, problemWith, stream } from './channel';

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

/**
 * Amazon ECR's private registries: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn] (.cn: the China regions,
 * -fips: a FIPS endpoint), or the dual-stack ACCOUNT.dkr-ecr.REGION.on.aws; ACCOUNT is the 12-digit account ID.
 */
export const ECR_HOST = /^(?<account>\d{12})\.(dkr\.ecr(-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?|dkr-ecr\.(?<dualRegion>[a-z0-9-]+)\.on\.aws)$/i;
/**
 * Azure's registries: NAME.azurecr.io, .azurecr.cn in Azure China, .azurecr.us in Azure Government. NAME is
 * 5 to 50 letters and digits; a registry made with a domain name label adds -HASH to it in its login server.
 */
export const ACR_HOST = /^(?<name>[a-z0-9]{5,50})(-[a-z0-9]+)?\.azurecr\.(io|cn|us)$/i;

export const ECR_EXPECTED =
  'an Amazon ECR registry: ACCOUNT.dkr.ecr.REGION.amazonaws.com with your 12-digit AWS account ID and the region, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com';
export const ACR_EXPECTED =
  "an Azure registry: NAME.azurecr.io with the registry's name (5 to 50 letters and digits), such as myregistry.azurecr.io; azurecr.cn in Azure China, azurecr.us in Azure Government";

export type Cloud = 'ecr' | 'acr';

/**
 * The cloud a host names a registry of, fitting its shape or not: one that does not fit is a typo, refused
 * with the shape it should have rather than sent to the registry. Only ECR's own labels count for AWS: a
 * registry of one's own may well run on an EC2 or load balancer name under amazonaws.com.
 */
export function cloudOf(host: string): Cloud | null {
  const text = host.trim();
  if (/\.dkr[.-]ecr(-fips)?\./i.test(text)) return 'ecr';
  if (/\.azurecr\.(io|cn|us)$/i.test(text)) return 'acr';
  return null;
}

export const EcrServer = z.string().trim().regex(ECR_HOST, ECR_EXPECTED);
export const AcrServer = z.string().trim().regex(ACR_HOST, ACR_EXPECTED);

export const CLOUD_SERVERS: Record<Cloud, z.ZodType<string>> = { ecr: EcrServer, acr: AcrServer };

/** A registry to sign in to: a host[:port], and in a cloud's domain one of the shape that cloud gives its registries. */
export const SignInServer = z
  .string()
  .trim()
  .superRefine((text, context) => {
    const cloud = cloudOf(text);
    // The cloud's shape first: it says more of a typo there than the rule for any host.
    const problem = (cloud && problemWith(CLOUD_SERVERS[cloud], text)) || problemWith(RegistryServer, text);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

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

export const RegistryLogin = z.object({
  server: z.string(),
  username: z.string(),
  /** The credential helper that signs in to this server by itself (config.json's credHelpers); it keeps no password. */
  helper: z.string().optional(),
});
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
  'registry.signIn': call(z.object({ server: SignInServer, username: z.string().min(1).max(256), password: z.string().min(1).max(4096) }).strict(), RegistryLogin),
  /** Whether docker-credential-ecr-login is on this computer's PATH, so ECR registries can be signed in to through it. */
  'registry.ecrLogin': call(Empty, z.object({ installed: z.boolean() })),
  /** Files an ECR registry under docker-credential-ecr-login in config.json's credHelpers; no password is kept. */
  'registry.useEcrLogin': call(z.object({ server: EcrServer }).strict(), RegistryLogins),
  'registry.signOut': call(z.object({ server: z.string().min(1).max(300) }).strict(), RegistryLogins),
  /** The list again whenever it changed, also by `docker login` or `docker logout` in a terminal. */
  'registry.changed': event(RegistryLogins),
  'registry.settings': call(Empty, RegistrySettings),
  /** Saves the settings, writes them into the guest and restarts the engine there. */
  'registry.apply': stream(RegistrySettings.strict(), ApplyProgress),
};
