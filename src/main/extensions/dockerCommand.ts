import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { BerthError } from '../api/errors';
import { dockerHost } from '../platform/endpoints';

/**
 * What the docker CLI run for an extension's page inherits from Berth's own environment: where the user's
 * programs, home, locale and docker config are. Never LD_* or another DOCKER_* (DOCKER_HOST is set to Berth's
 * engine), and never anything the page sends in their place.
 */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'TZ', 'TMPDIR', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR', 'DOCKER_CONFIG'];

/**
 * What a page may add to the docker CLI's environment. Published extensions pass no environment to
 * docker.cli.exec; these only change how output looks. Anything else (PATH, LD_PRELOAD, DOCKER_HOST,
 * DOCKER_CONFIG, COMPOSE_FILE, ...) could choose which program runs, what it loads or which engine it reaches.
 */
const PAGE_ENV: Record<string, RegExp> = {
  NO_COLOR: /^[\x20-\x7e]{0,16}$/,
  TERM: /^[A-Za-z0-9.+_-]{1,64}$/,
  COLUMNS: /^\d{1,5}$/,
  LANG: /^[A-Za-z0-9_.@-]{1,64}$/,
  LC_ALL: /^[A-Za-z0-9_.@-]{1,64}$/,
};

/** Commands a page may not run: they choose another engine, or read or change the user's registry logins. */
const REFUSED_COMMANDS = new Set(['context', 'login', 'logout']);

const refused = (what: string, hint: string): BerthError => new BerthError('DockerCommandRefused', `An extension may not run ${what}.`, hint);

/** The docker CLI's environment for a page's command: Berth's allow-listed variables, the page's checked ones, Berth's engine. */
export function dockerEnvironment(inherited: NodeJS.ProcessEnv, fromPage: Record<string, string> | undefined, dockerSocket: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) if (inherited[name] !== undefined) env[name] = inherited[name];
  for (const [name, value] of Object.entries(fromPage ?? {})) {
    const pattern = Object.hasOwn(PAGE_ENV, name) ? PAGE_ENV[name] : null;
    if (!pattern) throw refused(`docker with ${name} set`, `A page may set only ${Object.keys(PAGE_ENV).join(', ')} for docker commands; Berth sets the rest.`);
    if (!pattern.test(value)) throw refused(`docker with ${name}=${JSON.stringify(value.slice(0, 64))}`, `That is not a value ${name} takes.`);
    env[name] = value;
  }
  env.DOCKER_HOST = dockerHost(dockerSocket);
  return env;
}

/** Options of `docker cp` that take no value; any other option is refused so no operand is misread. */
const CP_FLAGS = new Set(['-a', '--archive', '-L', '--follow-link', '-q', '--quiet']);

/**
 * The host operand of `docker cp`, as the CLI tells them apart: `-` (the page's own stdin or stdout), an
 * absolute path, or else (no ':') a relative one; CONTAINER:PATH otherwise.
 */
const isHostOperand = (operand: string): boolean => operand === '-' || isAbsolute(operand) || !operand.includes(':');

/** The real path `path` names, resolving links through its longest existing part (a copy's target may not exist yet). */
function realPath(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realPath(parent), basename(path));
}

const PICK_HINT = 'Ask the user to choose the file or folder first, with ddClient.desktopUI.dialog.showOpenDialog, and use what they chose.';

/** Refuses `host`, a path on this computer a docker command would read or write, unless it lies in what the user picked. */
function checkHostPath(what: string, host: string, picked: readonly string[]): void {
  if (host === '-') return;
  if (!isAbsolute(host)) throw refused(`${what} with the relative path ${host}`, PICK_HINT);
  const real = realPath(normalize(host));
  const allowed = picked.some((path) => {
    const chosen = realPath(path);
    return real === chosen || real.startsWith(chosen.endsWith(sep) ? chosen : chosen + sep);
  });
  if (!allowed) throw refused(`${what} with ${host}, which the user has not chosen`, PICK_HINT);
}

/**
 * Options whose value is a file on this computer that the docker CLI reads or writes, and the commands that
 * take them that way (elsewhere -i is --interactive, and a container's own command may use any of the names).
 */
const HOST_FILE_OPTIONS: Record<string, readonly string[]> = {
  '--output': ['save', 'export', 'build'],
  '-o': ['save', 'export', 'build'],
  '--input': ['load'],
  '-i': ['load'],
  '--iidfile': ['build'],
  '--metadata-file': ['build'],
  '--cidfile': ['run', 'create'],
  '--env-file': ['run', 'create', 'compose'],
  '--label-file': ['run', 'create'],
};

/** The file an option's value names: a build's `--output type=local,dest=PATH` names PATH; `type=image` none. */
function fileOf(value: string): string | null {
  if (!value.includes('=')) return value;
  const dest = value.split(',').find((part) => part.startsWith('dest='));
  return dest ? dest.slice('dest='.length) : null;
}

/** Refuses options that would read or write files on this computer outside what the user picked (`docker save -o ~/.bashrc`). */
function checkHostFileOptions(command: string, args: string[], picked: readonly string[]): void {
  // `docker image save` and `docker buildx build` name the verb in the first argument.
  const verbs = [command, args.find((arg) => !arg.startsWith('-')) ?? ''];
  for (let at = 0; at < args.length; at += 1) {
    const arg = args[at];
    const long = arg.startsWith('--');
    const equals = long ? arg.indexOf('=') : -1;
    const name = long ? (equals < 0 ? arg : arg.slice(0, equals)) : arg.slice(0, 2);
    if (!Object.hasOwn(HOST_FILE_OPTIONS, name) || !HOST_FILE_OPTIONS[name].some((verb) => verbs.includes(verb))) continue;
    // --name VALUE, --name=VALUE, -n VALUE or -nVALUE.
    const inline = long ? (equals < 0 ? undefined : arg.slice(equals + 1)) : arg.length > 2 ? arg.slice(2) : undefined;
    const value = inline ?? args[(at += 1)];
    const file = value === undefined ? null : fileOf(value);
    if (file !== null) checkHostPath(`docker ${command} ${name}`, file, picked);
  }
}

/**
 * Refuses a command a page may not run: a leading global flag (-H, --context, --config, ...), one of
 * REFUSED_COMMANDS, an option naming a file on this computer, or a `docker cp` whose host side is not inside
 * a path the user picked for this extension.
 */
export function checkDockerCommand(command: string, args: string[], picked: readonly string[]): void {
  if (command.startsWith('-')) {
    throw refused(`docker with the global option ${command}`, 'Berth points the docker CLI at its own engine; run the command itself, as in exec("ps", ["-a"]).');
  }
  if (REFUSED_COMMANDS.has(command)) throw refused(`docker ${command}`, 'Contexts and registry logins are the user\'s to change, in Berth or with the docker CLI.');
  checkHostFileOptions(command, args, picked);
  if (command !== 'cp') return;
  const operands: string[] = [];
  for (const arg of args) {
    if (operands.length === 0 && arg.startsWith('-') && arg !== '-') {
      if (!CP_FLAGS.has(arg)) throw refused(`docker cp ${arg}`, `docker cp takes ${[...CP_FLAGS].join(', ')} here.`);
    } else operands.push(arg);
  }
  const hostSide = operands.filter(isHostOperand);
  if (operands.length !== 2 || hostSide.length !== 1) throw refused(`docker cp ${args.join(' ').slice(0, 200)}`, 'docker cp copies between one container and one path on this computer: CONTAINER:PATH and a path.');
  checkHostPath('docker cp', hostSide[0], picked);
}

/** Paths the user chose for each extension in a file dialog: the files on this computer its docker commands may read or write. */
export class PickedPaths {
  private readonly byKey = new Map<string, Set<string>>();

  add(key: string, paths: readonly string[]): void {
    const set = this.byKey.get(key) ?? new Set<string>();
    for (const path of paths) if (isAbsolute(path)) set.add(normalize(path));
    this.byKey.set(key, set);
  }

  of(key: string): string[] {
    return [...(this.byKey.get(key) ?? [])];
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
