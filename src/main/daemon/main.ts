import { rmSync } from 'node:fs';
import { writeFileDurably } from '../durableFile';
import { BerthError } from '../api/errors';
import type { Handlers } from '../api/dispatch';
import type { StreamHandlers } from '../api/streams';
import type { ContainerInspect } from '../api/containerDetails';
import type { ContainerChange } from '../api/containers';
import { actOnContainers, inspectContainer, listContainers } from '../engine/containers';
import { applyRegistrySettings } from '../registry/applySettings';
import { loadSettings } from '../settings/store';
import { runShell } from '../engine/exec';
import { imageDetails, listImages } from '../engine/images/list';
import { pruneImages, removeImages, tagImage } from '../engine/images/manage';
import { pullImage, pushImage, registryOfText } from '../engine/images/transfer';
import { followLogs } from '../engine/logs';
import { createNetwork, inspectNetwork, listNetworks, removeNetworks } from '../engine/networks';
import { runContainer } from '../engine/run';
import { followStats } from '../engine/stats';
import { followUsage } from '../engine/usage';
import { createVolume, listVolumes, pruneVolumes, removeVolumes } from '../engine/volumes';
import { extensionChannels } from '../extensions/handlers';
import { settingsChannels } from '../settings/channels';
import { pluginChannels } from '../plugins/channels';
import { ensureHome, type HomePaths } from '../home';
import { makeDiagnostics } from '../troubleshoot/diagnose';
import { resetHome } from '../troubleshoot/reset';
import { troubleshootChannels } from '../troubleshoot/channels';
import { ecrLoginInstalled, useEcrLogin } from '../registry/ecrLogin';
import { credentialsFor, eraseLogin } from '../registry/logins';
import { watchLogins } from '../registry/loginWatch';
import { signIn } from '../registry/signIn';
import { containerPostures } from './following';
import { EngineLifecycle } from './lifecycle';
import { ResourceSaver } from './resourceSaver';
import { adoptPlan, bootPlan, resumePlan } from './start';
import { ControlServer } from './control';
import { lockHome } from './lock';
import { readPid } from '../pidfile';

/** How long the window waits for the engine's answer to a query before it is told the engine is slow. */
const QUERY_MS = 30_000;

/** A query of the Engine API that answers within QUERY_MS or fails saying so: a hung guest never leaves the window waiting. */
function answered<Req, Reply>(query: (request: Req) => Promise<Reply>): (request: Req) => Promise<Reply> {
  return (request) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BerthError(
              'EngineSlow',
              `The engine did not answer within ${QUERY_MS / 1000} s.`,
              'The VM may be overloaded or not responding: `berth status` says which; Restart the engine if it stays so.',
            ),
          ),
        QUERY_MS,
      );
    });
    return Promise.race([query(request), late]).finally(() => clearTimeout(timer));
  };
}

/**
 * The daemon: it owns the VM and the tunnel, and serves the contract on the control socket.
 * It exits once the engine is down and no client is connected, leaving nothing behind.
 */
export async function runDaemon(paths: HomePaths, env: NodeJS.ProcessEnv): Promise<void> {
  // Everything the daemon and QEMU create (logs, QMP socket, console) is the user's alone.
  process.umask(0o077);
  ensureHome(paths);
  const log = (line: string): void => {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  };
  // Whatever a request or an event can make reject is logged, never the end of the daemon and its engine.
  process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
  const lock = await lockHome(paths).catch((error: Error) => {
    log(`daemon not started: ${error.message}${error instanceof BerthError && error.hint ? ` ${error.hint}` : ''}`);
    process.exit(1);
  });
  const directPort = Number(env.BERTH_BENCH_DIRECT_PORT) || undefined;
  const lifecycle = new EngineLifecycle(paths, env, log, { boot: bootPlan, adopt: adoptPlan, resume: resumePlan }, { directDockerPort: directPort });
  const saver = new ResourceSaver(lifecycle, paths.settings, log);
  const extensions = extensionChannels({ engine: lifecycle, paths, env, log, broadcast: (channel, payload) => control.broadcast(channel, payload) });
  const settings = settingsChannels({ engine: lifecycle, paths, env, log, broadcast: (channel, payload) => control.broadcast(channel, payload) });
  const troubleshoot = troubleshootChannels({ engine: lifecycle, paths, log });
  const plugins = pluginChannels({ engine: lifecycle, env, log });
  const handlers: Handlers = {
    ...extensions.calls,
    ...settings.calls,
    ...troubleshoot.calls,
    ...plugins.calls,
    'engine.status': async () => lifecycle.status(),
    'engine.start': () => lifecycle.start(),
    'engine.stop': () => lifecycle.stop(),
    'engine.restart': () => lifecycle.restart(),
    'engine.suspend': () => lifecycle.suspend('user'),
    'engine.hostResumed': async () => {
      // The guest's clock is behind by the host's sleep.
      lifecycle.following?.guest.setClock('the host resumed from sleep');
      return {};
    },
    // The kept list when it is current, else a listing.
    'containers.list': answered(async () => ({ containers: await (lifecycle.following?.containerList.all() ?? listContainers(lifecycle.docker())) })),
    'containers.posture': answered(async () => ({ containers: await containerPostures(lifecycle.docker(), lifecycle.following, log) })),
    'containers.act': async ({ ids, action }) => ({ results: await actOnContainers(lifecycle.docker(), ids, action) }),
    'containers.run': (request) => runContainer(lifecycle.docker(), request),
    // The engine's answer goes out whole; the contract checks the fields the window reads.
    'containers.inspect': answered(async ({ id }) => ({ inspect: (await inspectContainer(lifecycle.docker(), id)) as unknown as ContainerInspect })),
    'images.list': answered(async () => ({ images: await listImages(lifecycle.docker()) })),
    'images.inspect': answered(({ id }) => imageDetails(lifecycle.docker(), id)),
    'images.tag': async ({ source, target }) => ({ reference: await tagImage(lifecycle.docker(), source, target) }),
    'images.remove': async ({ refs, force }) => ({ results: await removeImages(lifecycle.docker(), refs, force) }),
    'images.prune': ({ all }) => pruneImages(lifecycle.docker(), all),
    'volumes.list': answered(async () => ({ volumes: await listVolumes(lifecycle.docker()) })),
    'volumes.create': async ({ name, driver }) => ({ name: await createVolume(lifecycle.docker(), name, driver) }),
    'volumes.remove': async ({ names }) => ({ results: await removeVolumes(lifecycle.docker(), names) }),
    'volumes.prune': () => pruneVolumes(lifecycle.docker()),
    'networks.list': answered(async () => ({ networks: await listNetworks(lifecycle.docker()) })),
    'networks.create': ({ name, driver, subnet }) => createNetwork(lifecycle.docker(), { name, driver: driver ?? 'bridge', subnet }),
    'networks.remove': async ({ names }) => ({ results: await removeNetworks(lifecycle.docker(), names) }),
    'networks.inspect': answered(async ({ name }) => ({ network: await inspectNetwork(lifecycle.docker(), name) })),
    'registry.logins': async () => ({ logins: await logins.refresh() }),
    'registry.signIn': async (request) => {
      const login = await signIn(lifecycle.docker(), env, request);
      await logins.refresh();
      return login;
    },
    'registry.ecrLogin': async () => ({ installed: ecrLoginInstalled(env) }),
    'registry.useEcrLogin': async ({ server }) => {
      await useEcrLogin(env, server);
      return { logins: await logins.refresh() };
    },
    'registry.signOut': async ({ server }) => {
      await eraseLogin(env, server);
      return { logins: await logins.refresh() };
    },
    'registry.settings': async () => loadSettings(paths.settings).registries,
    'troubleshoot.diagnose': () => makeDiagnostics({ paths, env, status: lifecycle.status(), guest: lifecycle.current === 'running' ? lifecycle.guest() : null }),
    'troubleshoot.reset': async ({ what }) => {
      log(`reset (${what === 'data' ? 'purge data' : 'factory defaults'}) asked for`);
      const done = await resetHome(what, paths, env, lifecycle);
      if (what === 'all') extensions.reread();
      log(`reset done: removed ${done.removed.join(', ') || 'nothing'}`);
      return done;
    },
  };
  /** The stored sign-in for the registry `reference` names: what `docker pull` in a terminal would send. */
  const signedInFor = (reference: string) => credentialsFor(env, registryOfText(reference));
  const streams: StreamHandlers = {
    ...extensions.streams,
    ...settings.streams,
    ...troubleshoot.streams,
    ...plugins.streams,
    'containers.logs': ({ id, tail }, session) => followLogs(lifecycle.docker(), id, tail, session.signal, (lines) => session.send({ lines })),
    'containers.exec': ({ id, cols, rows }, session) => runShell(lifecycle.docker(), id, { cols, rows }, session),
    'containers.stats': ({ id }, session) => followStats(lifecycle.docker(), id, session.signal, (sample) => session.send(sample)),
    'containers.usage': (_request, session) =>
      followUsage(lifecycle.docker(), followContainers, whileEngineRuns(session.signal), (containers) => session.send({ containers })),
    'images.pull': async ({ reference }, session) => pullImage(lifecycle.docker(), reference, session.signal, session.send, await signedInFor(reference)),
    'registry.apply': (settings, session) => {
      const state = lifecycle.current;
      const running = state === 'running' ? (lifecycle.following?.registries ?? null) : null;
      return applyRegistrySettings(settings, { settingsFile: paths.settings, env, starting: state === 'starting', running }, session.send);
    },
    'images.push': async ({ reference }, session) => pushImage(lifecycle.docker(), reference, session.signal, session.send, await signedInFor(reference)),
  };
  function followContainers(listener: (change: ContainerChange) => void): () => void {
    lifecycle.on('containers', listener);
    return () => lifecycle.off('containers', listener);
  }
  /** Aborts with the session, or once the engine stops: a stream that polls the engine ends with it. */
  function whileEngineRuns(signal: AbortSignal): AbortSignal {
    const stopped = new AbortController();
    const changed = (status: { state: string }): void => {
      if (status.state !== 'running') stopped.abort();
    };
    lifecycle.on('changed', changed);
    const both = AbortSignal.any([signal, stopped.signal]);
    both.addEventListener('abort', () => lifecycle.off('changed', changed), { once: true });
    return both;
  }
  let everConnected = false;
  const control = new ControlServer(paths.controlSocket, handlers, streams, () => maybeExit());
  const idle = (): boolean => control.clients.size === 0 && ['stopped', 'error'].includes(lifecycle.current);
  let exiting = false;
  const exit = async (): Promise<void> => {
    if (exiting) return;
    exiting = true;
    log('daemon exiting');
    logins.stop();
    saver.stop();
    await lifecycle.shutdown().catch((error: Error) => log(`stop on exit: ${error.message}`));
    control.close();
    if (readPid(paths.daemonPid) === process.pid) rmSync(paths.daemonPid, { force: true });
    lock.release();
    process.exit(0);
  };
  function maybeExit(): void {
    if (control.clients.size > 0) everConnected = true;
    if (everConnected && idle()) setTimeout(() => idle() && void exit(), 100);
  }
  const logins = watchLogins(env, (list) => control.broadcast('registry.changed', { logins: list }), log);
  lifecycle.on('containers', (change) => control.broadcast('containers.changed', change));
  lifecycle.on('volumes', (list) => control.broadcast('volumes.changed', { volumes: list }));
  lifecycle.on('networks', (list) => control.broadcast('networks.changed', { networks: list }));
  lifecycle.on('plugins', (list) => control.broadcast('plugins.changed', { plugins: list }));
  lifecycle.on('images', (list) => control.broadcast('images.changed', { images: list }));
  let wasRunning = false;
  lifecycle.on('changed', (status) => {
    control.broadcast('engine.changed', status);
    if (status.state === 'running' && !wasRunning) extensions.engineUp();
    wasRunning = status.state === 'running';
    if (status.state === 'stopped' || status.state === 'error') maybeExit();
  });
  try {
    await control.listen();
  } catch (error) {
    log(`daemon not started: ${(error as Error).message}`);
    process.exit(1);
  }
  // A daemon nobody ever connected to goes away, unless it keeps an engine running.
  setTimeout(() => {
    if (!everConnected && idle()) void exit();
  }, 60_000).unref();
  writeFileDurably(paths.daemonPid, `${process.pid}\n`, 0o600);
  log(`daemon ${process.pid} listening on ${paths.controlSocket}`);
  void lifecycle.takeOverLeftovers();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void exit());
}
