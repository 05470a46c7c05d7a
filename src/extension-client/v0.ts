import type { DdClientV0, DdClientV1, Exec, SpawnCallback } from './types';

/**
 * Splits a v0 command line (`execHostCmd('tool --flag "two words"')`) into words the way a shell would for
 * plain words and quotes, without running one: no variables, globs, pipes or escapes.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  for (const char of String(line)) {
    if (quote) {
      if (char === quote) quote = null;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function execLine(exec: Exec, line: string, prefix: string[] = []) {
  const [cmd = '', ...args] = splitCommandLine(line);
  return prefix.length > 0 ? exec(prefix[0]!, [...prefix.slice(1), cmd, ...args]) : exec(cmd, args);
}

/** v0's spawn: the callback gets each chunk as `data`, then `{code}` when the command ends, or an error. */
function spawn(exec: Exec, cmd: string, args: string[], callback: SpawnCallback): void {
  if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be a function.');
  exec(cmd, args, {
    stream: {
      onOutput: (data) => callback(data, undefined),
      onError: (error) => callback({}, error),
      onClose: (code) => callback({ code }, undefined),
    },
  });
}

/** The deprecated v0 names, each one a call to its v1 successor. */
export function v0Aliases(v1: DdClientV1): DdClientV0 {
  const { toast, navigate } = v1.desktopUI;
  const service = v1.extension.vm.service;
  const docker = v1.docker.cli.exec;
  const vm = v1.extension.vm.cli.exec;
  const host = v1.extension.host.cli.exec;
  return {
    toastSuccess: (msg) => toast.success(msg),
    toastWarning: (msg) => toast.warning(msg),
    toastError: (msg) => toast.error(msg),
    listContainers: (options) => v1.docker.listContainers(options),
    listImages: (options) => v1.docker.listImages(options),
    execHostCmd: (cmd) => execLine(host, cmd),
    spawnHostCmd: (cmd, args, callback) => spawn(host, cmd, args, callback),
    execDockerCmd: (cmd, ...args) => docker(cmd, args),
    spawnDockerCmd: (cmd, args, callback) => spawn(docker, cmd, args, callback),
    navigateToContainers: () => navigate.viewContainers(),
    navigateToContainer: (id) => navigate.viewContainer(id),
    navigateToContainerLogs: (id) => navigate.viewContainerLogs(id),
    navigateToContainerInspect: (id) => navigate.viewContainerInspect(id),
    navigateToContainerStats: (id) => navigate.viewContainerStats(id),
    navigateToImages: () => navigate.viewImages(),
    navigateToImage: (id, tag) => navigate.viewImage(id, tag),
    navigateToVolumes: () => navigate.viewVolumes(),
    navigateToVolume: (volume) => navigate.viewVolume(volume),
    openExternal: (url) => v1.host.openExternal(url),
    backend: {
      ...service,
      execInContainer: (container, cmd) => execLine(docker, cmd, ['exec', String(container)]),
      execInVMExtension: (cmd) => execLine(vm, cmd),
      spawnInVMExtension: (cmd, args, callback) => spawn(vm, cmd, args, callback),
    },
  };
}
