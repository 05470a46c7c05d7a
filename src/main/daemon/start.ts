// The engine's two start plans, as the boot log reads them: boot a VM, or take over the one an earlier
// daemon left running. Each step returns what it made; the plan hands that to the steps after it.
import type { RegistrySettings } from '../api/registry';
import { provideCliPlugins } from '../engine/cliPlugins';
import { writeDockerContext } from '../engine/context';
import { imageCacheDir } from '../home';
import { checkRegistrySettings, checkRegistrySize, dockerCertsDir, effectiveRegistrySettings } from '../registry/guestSettings';
import type { NetworkMode, Settings } from '../settings/schema';
import { effectiveShares, type SharedFolders } from '../settings/shares';
import { effectiveNetwork, loadSettings } from '../settings/store';
import { SshLink } from '../tunnel/link';
import { ensureDataDisk } from '../vm/disk';
import { buildImage, locateImage, type LocatedImage } from '../vm/image';
import { ensureKeyPair, type KeyPair } from '../vm/keys';
import { stopLeftoverMachine, type MachineRecord } from '../vm/leftover';
import { findQemu } from '../vm/qemu';
import { Plan, type Step } from '../vm/steps';
import { adoptStep, bootStep, dataStep, dockerStep, sshStep } from './guestSteps';
import { keptSessionStep, restartStep, resumeStep, wakeStep } from './resumeSteps';
import type { SuspendedRecord } from '../vm/suspended';
import type { StartBase, Started } from './startBase';


const settingsStep: Step<StartBase, { settings: Settings; network: NetworkMode; shares: SharedFolders; registries: RegistrySettings }> = {
  name: 'settings',
  label: 'Read settings',
  hint: (made) => `Check ${made.paths.settings}.`,
  async run({ paths, env, log }) {
    const settings = loadSettings(paths.settings);
    checkRegistrySettings(settings.registries, `Correct "registries" in ${paths.settings}, then start again.`);
    const registries = effectiveRegistrySettings(settings.registries, env, log);
    checkRegistrySize(registries, `Remove certificates from "registries" in ${paths.settings} or from ${dockerCertsDir(env)}, then start again.`);
    return { settings, network: effectiveNetwork(settings, env), shares: effectiveShares(settings, env, paths.settings), registries };
  },
};

const qemuStep: Step<StartBase, { qemu: string }> = {
  name: 'qemu',
  label: 'Find QEMU',
  hint: () => 'Install QEMU for the guest (on Debian: sudo apt-get install qemu-system-x86, or qemu-system-arm for BERTH_ARCH=arm64), then start again.',
  async run({ paths, env, log }) {
    const qemu = findQemu(env);
    if (await stopLeftoverMachine(paths)) log('stopped a VM left by an earlier run');
    return { qemu };
  },
};

const imageStep: Step<StartBase, { image: LocatedImage }> = {
  name: 'image',
  label: 'Guest image',
  hint: (made) => `Run \`berth image build\` and read ${made.paths.imageBuildLog}.`,
  async run({ paths, env }, detail) {
    const cache = imageCacheDir(env);
    const image = locateImage(cache, env) ?? (await buildImage(cache, paths.imageBuildLog, detail));
    detail(`kernel ${image.manifest.kernel}, docker ${image.manifest.docker}`);
    return { image };
  },
};

const keysStep: Step<StartBase, { keys: KeyPair }> = {
  name: 'keys',
  label: 'SSH key pair',
  hint: (made) => `Check that ${made.paths.sshDir} is writable by you.`,
  async run({ paths }, detail) {
    const keys = ensureKeyPair(paths);
    if (keys.made) detail(keys.made);
    return { keys };
  },
};

const diskStep: Step<StartBase & { settings: Settings }, { dataIsNew: boolean }> = {
  name: 'disk',
  label: 'Data disk',
  hint: (made) => `Check the free space and permissions where ${made.paths.dataDisk} lives.`,
  async run({ paths, settings }, detail) {
    const disk = ensureDataDisk(paths.dataDisk, settings.vm.diskGiB);
    if (disk.isNew) SshLink.forgetHostKey(paths.knownHost);
    detail(disk.isNew ? 'new, formatted by the guest' : 'existing');
    return { dataIsNew: disk.isNew };
  },
};

const contextStep: Step<StartBase, void> = {
  name: 'context',
  label: 'Docker context',
  hint: () => 'Check that DOCKER_CONFIG (or ~/.docker) is writable by you.',
  async run({ paths, env }, detail) {
    detail(writeDockerContext(paths.dockerSocket, env));
  },
};

const pluginsStep: Step<StartBase & { image: LocatedImage }, void> = {
  name: 'plugins',
  label: 'Docker CLI plugins',
  hint: (made) => `Check that ${made.paths.cliPluginsDir} and DOCKER_CONFIG (or ~/.docker) are writable by you.`,
  async run({ paths, env, log, image }, detail) {
    detail(provideCliPlugins(image, paths.cliPluginsDir, env, log));
  },
};

/** How the engine starts from nothing: settings, QEMU, image, keys, disk, the VM, then the way in. */
export const bootPlan: Plan<StartBase, Started> = Plan.of<StartBase>()
  .then(settingsStep)
  .then(qemuStep)
  .then(imageStep)
  .then(keysStep)
  .then(diskStep)
  .then(bootStep)
  .then(dataStep)
  .then(sshStep)
  .then(dockerStep)
  .then(contextStep)
  .then(pluginsStep);

/**
 * How the engine takes over the VM an earlier daemon left running: its guest is past its start, so
 * nothing waits for the guest's messages, and its data disk is in use, so nothing touches it.
 */
export function adoptPlan(record: MachineRecord): Plan<StartBase, Started> {
  return Plan.of<StartBase>()
    .then(settingsStep)
    .then(imageStep)
    .then(keysStep)
    .then(adoptStep(record))
    .then(sshStep)
    .then(dockerStep)
    .then(contextStep)
    .then(pluginsStep);
}

/**
 * How a suspended engine resumes: the VM comes from the saved state, so the guest's start is already done;
 * the SSH `session` the suspend kept goes on (when the daemon that suspended is the one resuming), the guest
 * is woken, and what the suspend stopped starts again.
 */
export function resumePlan(record: SuspendedRecord, session: SshLink | null): Plan<StartBase, Started> {
  return Plan.of<StartBase>()
    .then(settingsStep)
    .then(qemuStep)
    .then(imageStep)
    .then(keysStep)
    .then(resumeStep(record, session))
    .then(session ? keptSessionStep(session) : sshStep)
    .then(wakeStep)
    .then(dockerStep)
    .then(restartStep(record))
    .then(contextStep)
    .then(pluginsStep);
}
