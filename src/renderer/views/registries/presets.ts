import { ACR_HOST, cloudOf, DOCKER_HUB_SERVER, ECR_HOST } from '../../../main/api/registry';

export type PresetId = 'hub' | 'ghcr' | 'quay' | 'ecr' | 'acr' | 'custom';

/** One way to sign in to a preset's registries, with what it fills in and the hints that say what to type. */
export interface SignInWay {
  id: 'password' | 'ecr-token' | 'ecr-login' | 'acr-token' | 'acr-admin';
  label: string;
  /** What Username is filled with, from the server as typed; none for a way the user names themself. */
  username?: (server: string) => string;
  usernameHelp?: (server: string) => string;
  /** Under Password; none for a way that needs no username or password. */
  passwordHelp?: (server: string) => string;
  /** What choosing a way without a password does. */
  about?: (server: string) => string;
}

export interface Preset {
  id: PresetId;
  label: string;
  /** The one server it names; empty where the user types it (one registry per account in the clouds). */
  server: string;
  /** What to type as Server, where it is not filled in. */
  serverHelp: string;
  placeholder?: string;
  ways: readonly SignInWay[];
}

/** The zero GUID ACR takes as the username beside a token from `az acr login --expose-token`. */
export const ACR_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

/** The parts of an ECR or ACR server named in the commands the hints give, or a placeholder until it fits. */
function ecrRegion(server: string): string {
  const groups = ECR_HOST.exec(server.trim())?.groups;
  return groups?.region ?? groups?.dualRegion ?? 'REGION';
}

export function acrName(server: string): string {
  return ACR_HOST.exec(server.trim())?.groups?.name ?? '';
}

const nameIn = (server: string) => acrName(server) || 'NAME';

const PASSWORD: SignInWay = {
  id: 'password',
  label: 'Password',
  passwordHelp: () => 'An access token works the same way; GitHub Container Registry takes a personal access token.',
};

const ECR_TOKEN: SignInWay = {
  id: 'ecr-token',
  label: 'A token from the AWS CLI',
  username: () => 'AWS',
  usernameHelp: () => 'Always AWS with a token from `aws ecr get-login-password`.',
  passwordHelp: (server) =>
    `The token \`aws ecr get-login-password --region ${ecrRegion(server)}\` prints. It is valid for 12 hours: then sign in again with a new one.`,
};

/** Offered only where docker-credential-ecr-login is on PATH. */
export const ECR_LOGIN_WAY: SignInWay = {
  id: 'ecr-login',
  label: 'docker-credential-ecr-login (installed on this computer)',
  about: (server) =>
    `It signs in by itself, with a token it fetches from your AWS credentials whenever docker or Berth pulls or pushes: ` +
    `config.json gets "credHelpers": { "${server.trim() || 'SERVER'}": "ecr-login" }, and no password is kept.`,
};

const ACR_TOKEN: SignInWay = {
  id: 'acr-token',
  label: 'A token from the Azure CLI',
  username: () => ACR_TOKEN_USERNAME,
  usernameHelp: () => `Always ${ACR_TOKEN_USERNAME} with a token.`,
  passwordHelp: (server) =>
    `The accessToken \`az acr login --name ${nameIn(server)} --expose-token\` prints. It is valid for 3 hours: then sign in again with a new one.`,
};

const ACR_ADMIN: SignInWay = {
  id: 'acr-admin',
  label: "The registry's admin user",
  username: acrName,
  usernameHelp: (server) => `The registry's name: ${nameIn(server)}, as in ${nameIn(server)}.azurecr.io.`,
  passwordHelp: (server) =>
    `The admin password: in the portal under the registry's Access keys, or from \`az acr credential show --name ${nameIn(server)}\`. The admin user must be enabled there.`,
};

const SERVER_HELP = "The registry's host, with its port if it has one, e.g. registry.example.com:5000 (no https://).";

export const PRESETS: readonly Preset[] = [
  { id: 'hub', label: 'Docker Hub', server: DOCKER_HUB_SERVER, serverHelp: SERVER_HELP, ways: [PASSWORD] },
  { id: 'ghcr', label: 'GitHub Container Registry', server: 'ghcr.io', serverHelp: SERVER_HELP, ways: [PASSWORD] },
  { id: 'quay', label: 'Quay', server: 'quay.io', serverHelp: SERVER_HELP, ways: [PASSWORD] },
  {
    id: 'ecr',
    label: 'Amazon ECR',
    server: '',
    serverHelp:
      'ACCOUNT.dkr.ecr.REGION.amazonaws.com: your 12-digit AWS account ID and the registry\'s region (amazonaws.com.cn in the China regions, dkr.ecr-fips for a FIPS endpoint).',
    placeholder: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    ways: [ECR_TOKEN, ECR_LOGIN_WAY],
  },
  {
    id: 'acr',
    label: 'Azure ACR',
    server: '',
    serverHelp: "NAME.azurecr.io, NAME being your registry's name (azurecr.cn in Azure China, azurecr.us in Azure Government).",
    placeholder: 'myregistry.azurecr.io',
    ways: [ACR_TOKEN, ACR_ADMIN],
  },
  { id: 'custom', label: 'Custom registry', server: '', serverHelp: SERVER_HELP, ways: [PASSWORD] },
];

export function presetById(id: PresetId): Preset {
  return PRESETS.find((preset) => preset.id === id) ?? PRESETS[PRESETS.length - 1]!;
}

/** The preset a server name is, so the choice follows whatever is typed into Server. */
export function presetOf(server: string): PresetId {
  const name = server.trim().toLowerCase();
  return PRESETS.find((preset) => preset.server !== '' && preset.server === name)?.id ?? cloudOf(name) ?? 'custom';
}

/**
 * The preset the form shows: the one the server is, else the cloud last picked while its server is still
 * being typed (an empty or unfinished name is no reason to fall back to Custom and hide the cloud's hints).
 */
export function chosenPreset(server: string, picked: PresetId): PresetId {
  const typed = presetOf(server);
  return typed === 'custom' && (picked === 'ecr' || picked === 'acr') ? picked : typed;
}

/** The ways offered for a preset: ecr-login only where it is installed. */
export function waysOf(id: PresetId, ecrLoginInstalled: boolean): readonly SignInWay[] {
  return presetById(id).ways.filter((way) => way !== ECR_LOGIN_WAY || ecrLoginInstalled);
}

/** How a login's server reads in a list: a well-known registry by its name, always with the server itself. */
export function registryLabel(server: string): string {
  const id = presetOf(server);
  return id === 'custom' ? server : `${presetById(id).label} (${server})`;
}
