import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { CallName, EventName, PayloadOf, StreamName } from '../api/contract';
import type { Handlers } from '../api/dispatch';
import type { EngineStatus } from '../api/engine';
import type { StreamHandlers } from '../api/streams';
import { BerthError } from '../api/errors';
import { registryOfText } from '../engine/images/transfer';
import type { Extension } from '../api/extensions';
import type { HomePaths } from '../home';
import { credentialsFor } from '../registry/logins';
import type { SshLink } from '../tunnel/link';
import { GuestBackends } from './backend';
import { catalog } from './catalog';
import { PickedPaths } from './dockerCommand';
import { dockerCli, hostBinary, runProcess } from './exec';
import { installExtension, updateExtension, type InstallContext } from './install';
import { ImageFiles } from './imageFiles';
import { extensionFolder, listInstalled, pickExtension, recoverLeftovers } from './installed';
import { removeExtension } from './remove';
import { browseFolder, checkExternalLink, DialogQuestions, routeFor } from './requests';
import { serviceRequest } from './service';
import { TrustQuestions } from './trust';
import { execInBackend } from './vmExec';

type Prefixed = `extensions.${string}` | `ddClient.${string}`;
export type ExtensionCalls = Pick<Handlers, Extract<CallName, Prefixed>>;
export type ExtensionStreams = Pick<StreamHandlers, Extract<StreamName, Prefixed>>;

/** What extensions need of the engine: its API and the guest, each failing with a hint while it is not running. */
export interface RunningEngine {
  docker(): Docker;
  guest(): SshLink;
  status(): Pick<EngineStatus, 'network'>;
}

export interface ExtensionServices {
  engine: RunningEngine;
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  broadcast<E extends EventName>(channel: E, payload: PayloadOf<E>): void;
}

/** The extensions domain's channels: what the window asks (install, list, ...) and what extension pages ask (ddClient). */
export function extensionChannels(services: ExtensionServices): { calls: ExtensionCalls; streams: ExtensionStreams; engineUp(): void; reread(): void } {
  const { engine, paths, env, log, broadcast } = services;
  const dir = paths.extensionsDir;
  const backends = (): GuestBackends => new GuestBackends(engine.guest(), engine.docker(), log);
  // The engine is asked for only when a step needs it: an extension without a backend can go while it is stopped.
  const context = (): InstallContext => ({
    get docker() {
      return engine.docker();
    },
    get backends() {
      return backends();
    },
    get network() {
      return engine.status().network;
    },
    extensionsDir: dir,
    askTrust: trust.ask,
    log,
  });
  // Only this daemon installs, updates and removes: the list is read from disk once and again after each change,
  // not on every call a page makes.
  let installed: Extension[] | null = null;
  const current = (): Extension[] => (installed ??= listInstalled(dir, log));
  const find = (key: string): Extension => pickExtension(current(), key);
  const changed = (): { extensions: Extension[] } => {
    installed = null;
    const list = { extensions: current() };
    broadcast('extensions.changed', list);
    return list;
  };
  /** An install, update or removal: whether it ends well or not, the list is read again and sent out. */
  const changing = async (work: () => Promise<unknown>): Promise<{ extensions: Extension[] }> => {
    try {
      await work();
    } finally {
      changed();
    }
    return { extensions: current() };
  };
  const dialogs = new DialogQuestions((request) => broadcast('extensions.request', request));
  const picked = new PickedPaths();
  const trust = new TrustQuestions();
  const auth = (image: string) => credentialsFor(env, registryOfText(image));

  const calls: ExtensionCalls = {
    'extensions.list': async () => ({ extensions: current() }),
    'extensions.catalog': async () => ({ entries: catalog() }),
    'extensions.remove': ({ key }) => {
      picked.forget(key);
      return changing(() => removeExtension(context(), key));
    },
    'extensions.answerTrust': async ({ id, accept }) => {
      trust.answer(id, accept);
      return {};
    },
    'extensions.picked': async ({ key, filePaths }) => {
      picked.add(find(key).key, filePaths);
      return {};
    },
    'extensions.answerDialog': async ({ id, filePaths }) => {
      dialogs.answer(id, filePaths);
      return {};
    },
    'extensions.browse': ({ path }) => browseFolder(path),
    'ddClient.context': async ({ key }) => ({ image: find(key).image, platform: process.platform, arch: process.arch, hostname: hostname() }),
    'ddClient.listContainers': async ({ options }) => (await engine.docker().listContainers(options)) as unknown[],
    'ddClient.listImages': async ({ options }) => (await engine.docker().listImages(options)) as unknown[],
    'ddClient.service': (request) => serviceRequest(engine.guest(), find(request.key), request),
    'ddClient.toast': async ({ key, level, message }) => {
      broadcast('extensions.request', { kind: 'toast', key, title: find(key).title, level, message });
      return {};
    },
    'ddClient.navigate': async (request) => {
      find(request.key);
      broadcast('extensions.request', { kind: 'navigate', key: request.key, route: await routeFor(() => engine.docker(), request) });
      return {};
    },
    'ddClient.openExternal': async ({ key, url }) => {
      find(key);
      broadcast('extensions.request', { kind: 'openExternal', key, url: checkExternalLink(url) });
      return {};
    },
    'ddClient.showOpenDialog': async ({ key, directory, multiple }) => {
      const answer = await dialogs.ask(find(key), directory, multiple);
      picked.add(key, answer.filePaths);
      return answer;
    },
  };

  const streams: ExtensionStreams = {
    'extensions.install': async ({ image }, session) => {
      const credentials = await auth(image);
      await changing(() => installExtension(context(), image, session.signal, session.send, credentials));
    },
    'extensions.update': async ({ key, image }, session) => {
      const target = image ?? find(key).image;
      const credentials = await auth(target);
      await changing(() => updateExtension(context(), key, image, session.signal, session.send, credentials));
    },
    'ddClient.exec': async (request, session) => {
      const extension = find(request.key);
      const { scope, command, args, cwd, env: extra } = request;
      if (scope === 'docker') return dockerCli(paths.dockerSocket, command, args, { cwd, env: extra, picked: picked.of(extension.key) }, session.signal, session.send);
      if (scope === 'vm') return execInBackend(engine.docker(), engine.guest(), extension, command, args, session.signal, session.send, { cwd, env: extra });
      const folder = extensionFolder(dir, extension.key);
      const file = hostBinary(extension, folder, command);
      const missing = new BerthError('BinaryMissing', `${file} cannot be started.`, `Reinstall ${extension.title}.`);
      return runProcess(file, args, { cwd: cwd ?? folder, env: { ...process.env, ...extra }, missing }, session.signal, session.send);
    },
  };

  /**
   * Once the engine runs, installed extensions' backends come back (compose brings up what is not running), and
   * containers an interrupted install left go.
   */
  const engineUp = (): void => {
    const complain = (what: string) => (error: Error) => log(`${what}: ${error.message}`);
    void ImageFiles.sweep(engine.docker()).catch(complain('extension install leftovers'));
    const withBackends = current().filter((extension) => extension.vm);
    if (withBackends.length) void backends().ensure(withBackends, (key) => extensionFolder(dir, key)).catch(complain('extension backends'));
  };
  // An install, update or removal a crash cut short is finished or undone before anything lists extensions.
  void recoverLeftovers(dir, log).then(
    () => (installed = null),
    (error: Error) => log(`extension leftovers: ${error.message}`),
  );
  // After a factory reset took the extensions' folder away: the list is read again, and sent out.
  const reread = (): void => void changed();
  return { calls, streams, engineUp, reread };
}
