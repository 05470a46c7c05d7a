import type Docker from 'dockerode';
import type { ContainerChange, ContainerPosture, ContainerSummary } from '../api/containers';
import type { ImageSummary } from '../api/images';
import type { NetworkSummary } from '../api/networks';
import type { PluginSummary } from '../api/plugins';
import type { RegistrySettings } from '../api/registry';
import type { VolumeSummary } from '../api/volumes';
import { engineVersions } from '../engine/client';
import { ContainerList } from '../engine/containerList';
import { listContainers } from '../engine/containers';
import { changesListOf, EngineEvents } from '../engine/events';
import { listImages, touchesImages } from '../engine/images/list';
import { listNetworks } from '../engine/networks';
import { listPlugins } from '../engine/plugins/list';
import { enginePosture, PostureBook } from '../engine/postureBook';
import { PortWatch } from '../engine/publishedPorts';
import { listVolumes } from '../engine/volumes';
import { ContainerWatch, RelistWatch } from '../engine/watch';
import { GuestRegistries } from '../registry/guestRegistries';
import type { Settings } from '../settings/schema';
import type { SshLink } from '../tunnel/link';
import { PortForwarder } from '../tunnel/ports';
import { TcpForward } from '../tunnel/tcpForward';
import { UdpForward } from '../tunnel/udpRelay';
import { freesSpace, trimDataDisk, TRIM_EVERY_MS } from '../vm/diskTrim';
import { GuestWatch } from '../vm/guestWatch';

/** What a running engine is reached through. */
export interface RunningParts {
  docker: Docker;
  link: SshLink;
  settings: Settings;
  registries: RegistrySettings;
}

/** Where what is followed goes. */
export interface FollowHooks {
  containers(change: ContainerChange): void;
  images(list: ImageSummary[]): void;
  volumes(list: VolumeSummary[]): void;
  networks(list: NetworkSummary[]): void;
  plugins(list: PluginSummary[]): void;
  /** The published ports' state changed. */
  ports(): void;
  /** The guest stopped answering (false) or answers again (true). */
  responding(yes: boolean): void;
  /** The engine's component versions, once read. */
  versions(versions: Record<string, string>): void;
  log(line: string): void;
  env: NodeJS.ProcessEnv;
  settingsFile: string;
}

export interface Following {
  /** The host's listeners for the running containers' published ports. */
  ports: PortForwarder;
  /** Every container's row, kept current by the events. */
  containerList: ContainerList;
  /** Every container's security posture, read once and kept current by the events. */
  posture: PostureBook;
  /** The running guest's registry settings. */
  registries: GuestRegistries;
  guest: GuestWatch;
  stop(): void;
}

/** Follows a running engine: its events into lists and published ports, its registries, and its guest's health. */
export function followEngine(parts: RunningParts, hooks: FollowHooks): Following {
  const { docker, link } = parts;
  const { log } = hooks;
  const forwarder = new PortForwarder(
    parts.settings.ports.bindAddress,
    (protocol, address, port) => (protocol === 'tcp' ? new TcpForward(address, port, link, log) : new UdpForward(address, port, link, log)),
    () => hooks.ports(),
    log,
  );
  const ports = new PortWatch(docker, forwarder, log);
  // A container's findings go out with its row once read; the row is sent again when they are.
  const posture = new PostureBook(enginePosture(docker), (id) => {
    const row = list.get(id);
    if (row) sent({ id, container: row }, performance.now());
  }, log);
  const dress = (row: ContainerSummary): ContainerSummary => ({ ...row, findings: posture.findings(row.id) });
  const list = new ContainerList(() => listContainers(docker), (change) => hooks.containers(change), log, dress);
  const sent = (change: ContainerChange, asOf: number): void => {
    const dressed = change.container ? { id: change.id, container: dress(change.container) } : change;
    // The list first: a window that asks for it after this change must find the change in it.
    list.changed(dressed, asOf);
    hooks.containers(dressed);
  };
  const containers = new ContainerWatch(docker, sent, log, { current: (id) => list.get(id) });
  const images = new RelistWatch(touchesImages, () => listImages(docker), hooks.images, log);
  const volumes = new RelistWatch(changesListOf('volume'), () => listVolumes(docker), hooks.volumes, log);
  const networks = new RelistWatch(changesListOf('network'), () => listNetworks(docker), hooks.networks, log);
  const plugins = new RelistWatch((event) => event.Type === 'plugin', () => listPlugins(docker), hooks.plugins, log);
  // Removals come in bursts (a prune, compose down): one trim after the burst gives their space back.
  const trimmed = (bytes: number): void => log(`data disk trimmed: the guest discarded ${Math.round(bytes / 2 ** 20)} MiB of free space`);
  const trim = new RelistWatch(freesSpace, () => trimDataDisk(link), trimmed, log, 5_000, 'data disk trim');
  const trimTimer = setInterval(() => void trimDataDisk(link).then(trimmed, (error: Error) => log(`data disk trim: ${error.message}`)), TRIM_EVERY_MS);
  trimTimer.unref();
  // The posture first: a new container's inspect starts before the lookup of its row.
  const watches = [posture, ports, containers, images, volumes, networks, plugins, trim];
  const opened = (): void => {
    list.following();
    void ports.resync();
  };
  const lost = (): void => {
    list.lost();
    posture.lost();
  };
  const events = new EngineEvents(docker, (event) => watches.forEach((watch) => watch.seen(event)), log, opened, lost);
  void events.start();
  const registries = new GuestRegistries(link, docker, parts.registries, hooks.env, hooks.settingsFile, log);
  const guest = new GuestWatch(link, log, hooks.responding);
  // Read once the engine counts as running, not before: `docker version` has dockerd run `runc --version`,
  // about 0.15 s of every start under TCG.
  engineVersions(docker).then(hooks.versions, (error: Error) => log(`could not read engine versions: ${error.message}`));
  return {
    ports: forwarder,
    containerList: list,
    posture,
    registries,
    guest,
    stop: () => {
      clearInterval(trimTimer);
      guest.stop();
      registries.stop();
      events.stop();
      list.lost();
      watches.forEach((watch) => watch.stop());
      forwarder.close();
    },
  };
}

/** Every container's posture, each read first when need be: the kept ones while the engine is followed. */
export async function containerPostures(docker: Docker, following: Following | null, log: (line: string) => void): Promise<ContainerPosture[]> {
  const book = following?.posture ?? new PostureBook(enginePosture(docker), () => undefined, log);
  return book.every(await (following?.containerList.all() ?? listContainers(docker)));
}
