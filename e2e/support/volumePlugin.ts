// A Docker volume plugin made offline: a rootfs with a tiny driver in perl, and its config.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, type Instance } from './berth';
import { PERL_HTTP_SERVER, withLibraries } from './extensionBackends';
import { filesTar } from './extensionImages';
import type { LocalRegistry } from './registry';

/**
 * The volume plugin protocol (docs.docker.com/engine/extend/plugins_volume) on PERL_HTTP_SERVER: each
 * volume is a folder under VOLUMES (default /mnt/volumes, the plugin's propagated mount). Every answer is
 * JSON; a failure is {"Err":"..."}, as the engine expects.
 */
export const VOLUME_DRIVER_PL =
  PERL_HTTP_SERVER +
  String.raw`
sub root { $ENV{VOLUMES} || '/mnt/volumes' }

sub reply { my ($client, $body) = @_; answer($client, 200, 'application/vnd.docker.plugins.v1+json', $body) }
sub volume { my $volume = shift; '{"Name":' . quote($volume) . ',"Mountpoint":' . quote(root() . "/$volume") . '}' }

sub route {
  my ($client, $where, $query, $body) = @_;
  my $root = root();
  return reply($client, '{"Implements":["VolumeDriver"]}') if $where eq '/Plugin.Activate';
  return reply($client, '{"Capabilities":{"Scope":"local"}}') if $where eq '/VolumeDriver.Capabilities';
  if ($where eq '/VolumeDriver.List') {
    opendir(my $dir, $root) or return reply($client, '{"Err":' . quote("$root: $!") . '}');
    my @volumes = sort grep { !/^\./ && -d "$root/$_" } readdir $dir;
    return reply($client, '{"Volumes":[' . join(',', map { volume($_) } @volumes) . '],"Err":""}');
  }
  return answer($client, 404, 'application/json', '{"Err":"no such route"}') unless $where =~ m{^/VolumeDriver\.(Create|Remove|Mount|Unmount|Path|Get)$};
  my $call = $1;
  my ($volume) = $body =~ /"Name"\s*:\s*"([^"]*)"/;
  return reply($client, '{"Err":"a volume name is letters, digits and _ . - after the first"}') unless defined $volume && $volume =~ /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
  my $folder = "$root/$volume";
  if ($call eq 'Create') {
    mkdir $folder or -d $folder or return reply($client, '{"Err":' . quote("$folder: $!") . '}');
    return reply($client, '{"Err":""}');
  }
  if ($call eq 'Remove') {
    system('/bin/busybox', 'rm', '-rf', $folder);
    return reply($client, '{"Err":""}');
  }
  return reply($client, '{"Err":' . quote("no such volume: $volume") . '}') unless -d $folder;
  return reply($client, '{"Err":""}') if $call eq 'Unmount';
  return reply($client, '{"Volume":' . volume($volume) . ',"Err":""}') if $call eq 'Get';
  return reply($client, '{"Mountpoint":' . quote($folder) . ',"Err":""}');
}
`;

/** The driver's files in the plugin's rootfs: busybox, the host's perl and its libraries, the script. */
export function volumeDriverFiles(): Parameters<typeof filesTar>[0] {
  return { busybox: true, files: { ...withLibraries('/usr/bin/perl'), '/driver.pl': VOLUME_DRIVER_PL, '/mnt/volumes/.keep': '' } };
}

/**
 * The plugin's config.json. Its privileges are real ones an install must grant: CAP_SYS_ADMIN (what a
 * volume driver that mounts needs) and a read-only mount of the VM's /etc/os-release.
 */
export function volumePluginConfig(socket: string, description: string): Record<string, unknown> {
  return {
    description,
    documentation: 'https://docs.docker.com/engine/extend/plugins_volume/',
    entrypoint: ['/usr/bin/perl', '/driver.pl', `/run/docker/plugins/${socket}`],
    interface: { socket, types: ['docker.volumedriver/1.0'] },
    propagatedmount: '/mnt/volumes',
    mounts: [{ name: 'os-release', description: "the VM's release, read only", source: '/etc/os-release', destination: '/host/os-release', type: 'bind', options: ['rbind', 'ro'] }],
    linux: { capabilities: ['CAP_SYS_ADMIN'] },
  };
}

/** A folder as `docker plugin create` takes it: config.json beside rootfs/. The caller removes it. */
export async function volumePluginFolder(description: string, socket = 'berth-volume.sock'): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'bt-volume-plugin-'));
  mkdirSync(join(folder, 'rootfs'));
  writeFileSync(join(folder, 'config.json'), `${JSON.stringify(volumePluginConfig(socket, description), null, 2)}\n`);
  execFileSync('tar', ['-x', '-C', join(folder, 'rootfs')], { input: await filesTar(volumeDriverFiles()) });
  return folder;
}

async function cli(instance: Instance, args: string[]): Promise<string> {
  const run = await docker(instance, args, { timeoutMs: 120_000 });
  if (run.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return run.stdout;
}

/**
 * Makes the plugin as `repository:tag` of `registry` (`docker plugin create`, which sends the folder to
 * the engine as a tar), pushes it there and removes it from the engine, so an install has to pull it.
 * The registry must be listed as insecure (applyRegistrySettings). Returns the reference.
 */
export async function pushVolumePlugin(instance: Instance, registry: LocalRegistry, repository: string, tag: string, description: string): Promise<string> {
  const reference = `${registry.fromGuest}/${repository}:${tag}`;
  const folder = await volumePluginFolder(description);
  try {
    await cli(instance, ['plugin', 'create', reference, folder]);
    await cli(instance, ['plugin', 'push', reference]);
    await cli(instance, ['plugin', 'rm', reference]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return reference;
}
