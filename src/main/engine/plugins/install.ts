import type Docker from 'dockerode';
import { Readable } from 'node:stream';
import { BerthError } from '../../api/errors';
import type { TransferProgress } from '../../api/images';
import type { PluginPrivilege } from '../../api/plugins';
import { parseReference, repositoryOf } from '../../api/reference';
import { ANONYMOUS, followTransfer, NOT_FOUND, transferError, type TransferAuth } from '../images/transfer';
import { refusal } from '../client';
import { enablePlugin } from './manage';

/** The privileges as the engine's JSON spells them (its PluginPrivilege). */
const wire = (privileges: PluginPrivilege[]) => privileges.map(({ name, description, value }) => ({ Name: name, Description: description, Value: value }));

function fromWire(data: unknown): PluginPrivilege[] {
  if (!Array.isArray(data)) return [];
  return data.map((entry: { Name?: unknown; Description?: unknown; Value?: unknown }) => ({
    name: String(entry.Name ?? ''),
    description: String(entry.Description ?? ''),
    value: Array.isArray(entry.Value) ? entry.Value.map(String) : [],
  }));
}

/**
 * The name the engine gives a plugin installed from `reference`: its repository as Docker shortens it
 * (Docker Hub's docker.io/ and library/ dropped) with its tag, `latest` when it has none.
 */
export function installedName(reference: string): string {
  const checked = parseReference(reference);
  if (!checked.ok) throw new BerthError('InvalidReference', checked.problem, checked.hint);
  const { domain, path, tag } = checked.reference;
  const hub = domain === null || domain === 'docker.io' || domain === 'index.docker.io';
  const repository = hub ? path.replace(/^library\//, '') : repositoryOf(checked.reference);
  return `${repository}:${tag ?? 'latest'}`;
}

/** What went wrong installing or upgrading from `reference`, in the user's terms. */
export function pluginTransferError(reference: string, said: string, status: number | null, signedIn: boolean): BerthError {
  if (/already exists/i.test(said)) {
    return new BerthError('PluginExists', `A plugin named ${installedName(reference)} is installed already.`, 'Upgrade it from its row instead, or remove it first.');
  }
  if (/must be disabled/i.test(said)) {
    return new BerthError('PluginEnabled', `The engine upgrades only a disabled plugin: ${said}`, 'Disable it first (its Disable button), upgrade, then enable it again.');
  }
  if (/plugin config/i.test(said)) {
    return new BerthError('NotAPlugin', `${reference} is not a plugin: ${said}`, 'Check the reference: a plugin is pushed with `docker plugin push`; an image is pulled in the Images view instead.');
  }
  if (/privilege/i.test(said)) {
    return new BerthError('PrivilegesChanged', `The engine refused the privileges granted to ${reference}: ${said}`, 'The plugin asks for other privileges now: install again to see and grant them.');
  }
  if (status === 404 || NOT_FOUND.test(said)) {
    return new BerthError(
      'NoSuchPlugin',
      `There is no plugin ${reference} at its registry: ${said}`,
      'Check the repository name and tag for typos. If the repository is private, sign in to its registry in Registries (or with `docker login`) first.',
    );
  }
  return transferError('pull', reference, said, status, signedIn);
}

const STATUS_CODES = { 200: true, 204: true, 400: 'bad parameter', 404: 'not found', 409: 'conflict', 500: 'server error' };

/**
 * The privileges installing `reference` asks for, read from its registry by the engine. dockerode's
 * privileges() sends no sign-in, so this goes through its modem with one, as a pull does.
 */
export async function readPrivileges(docker: Docker, reference: string, auth: TransferAuth | null): Promise<PluginPrivilege[]> {
  try {
    const data = await new Promise<unknown>((resolve, reject) =>
      docker.modem.dial(
        { path: '/plugins/privileges?', method: 'GET', options: { remote: reference }, authconfig: auth ?? ANONYMOUS, statusCodes: STATUS_CODES },
        (error, answer) => (error ? reject(error) : resolve(answer)),
      ),
    );
    const privileges = fromWire(data);
    // The engine answers a reference it could not fetch with no privileges rather than its error: an
    // empty answer is checked with the registry, so a missing plugin is not offered to be granted nothing.
    if (!privileges.length) await docker.getImage(reference).distribution({ authconfig: auth ?? ANONYMOUS });
    return privileges;
  } catch (error) {
    const { status, said } = refusal(error);
    throw pluginTransferError(reference, said, status, auth !== null);
  }
}

/**
 * A pull or upgrade with the granted privileges as its body. dockerode's pull sends no sign-in and its
 * upgrade does not stream its progress, so both go through its modem.
 */
function openProgress(docker: Docker, path: string, query: Record<string, string>, privileges: PluginPrivilege[], auth: TransferAuth | null, signal: AbortSignal) {
  return new Promise<NodeJS.ReadableStream>((resolve, reject) =>
    docker.modem.dial(
      {
        path: `${path}?`,
        method: 'POST',
        isStream: true,
        abortSignal: signal,
        authconfig: auth ?? ANONYMOUS,
        options: { _query: query, _body: wire(privileges) },
        statusCodes: STATUS_CODES,
      },
      (error, answer) => {
        if (error) reject(error);
        else if (answer instanceof Readable) resolve(answer);
        else reject(new Error('the engine answered without its progress stream'));
      },
    ),
  );
}

export interface PluginTransfer {
  reference: string;
  privileges: PluginPrivilege[];
  auth: TransferAuth | null;
  signal: AbortSignal;
  send: (progress: TransferProgress) => void;
}

/** Installs the plugin `reference` names with the privileges granted, then enables it when asked, as `docker plugin install` does. */
export async function installPlugin(docker: Docker, transfer: PluginTransfer, enable: boolean): Promise<string> {
  const { reference, privileges, auth, signal, send } = transfer;
  const name = installedName(reference);
  const open = () => openProgress(docker, '/plugins/pull', { remote: reference, name }, privileges, auth, signal);
  await followTransfer(open, signal, send, (said, status) => pluginTransferError(reference, said, status, auth !== null));
  if (enable && !signal.aborted) {
    try {
      await enablePlugin(docker, name);
    } catch (error) {
      const why = error instanceof BerthError ? error.message : refusal(error).said;
      throw new BerthError('PluginNotEnabled', `${name} is installed, but the engine could not enable it: ${why}`, 'Its Enable button tries again; `docker plugin inspect` shows its settings.');
    }
  }
  return name;
}

/** Replaces the files of the disabled plugin `name` by those of `reference`, with the privileges granted. */
export function upgradePlugin(docker: Docker, name: string, transfer: PluginTransfer): Promise<void> {
  const { reference, privileges, auth, signal, send } = transfer;
  const open = () => openProgress(docker, `/plugins/${name}/upgrade`, { remote: reference }, privileges, auth, signal);
  return followTransfer(open, signal, send, (said, status) => pluginTransferError(reference, said, status, auth !== null));
}
