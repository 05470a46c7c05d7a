import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { BerthError } from '../api/errors';

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
  env.DOCKER_HOST = `unix://${dockerSocket}`;
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

/**
 * Refuses a command a page may not run: a leading global flag (-H, --context, --config, ...), one of
 * REFUSED_COMMANDS, or a `docker cp` whose host side is not inside a path the user picked for this extension.
 */
export function checkDockerCommand(command: string, args: string[], picked: readonly string[]): void {
  if (command.startsWith('-')) {
    throw refused(`docker with the global option ${command}`, 'Berth points the docker CLI at its own engine; run the command itself, as in exec("ps", ["-a"]).');
  }
  if (REFUSED_COMMANDS.has(command)) throw refused(`docker ${command}`, 'Contexts and registry logins are the user\'s to change, in Berth or with the docker CLI.');
  if (command !== 'cp') return;
  const operands: string[] = [];
  for (const arg of args) {
    if (operands.length === 0 && arg.startsWith('-') && arg !== '-') {
      if (!CP_FLAGS.has(arg)) throw refused(`docker cp ${arg}`, `docker cp takes ${[...CP_FLAGS].join(', ')} here.`);
    } else operands.push(arg);
  }
  const hostSide = operands.filter(isHostOperand);
  if (operands.length !== 2 || hostSide.length !== 1) throw refused(`docker cp ${args.join(' ').slice(0, 200)}`, 'docker cp copies between one container and one path on this computer: CONTAINER:PATH and a path.');
  const [host] = hostSide;
  if (host === '-') return;
  const hint = 'Ask the user to choose the file or folder first, with ddClient.desktopUI.dialog.showOpenDialog, and copy to or from what they chose.';
  if (!isAbsolute(host)) throw refused(`docker cp with the relative path ${host}`, hint);
  const real = realPath(normalize(host));
  const allowed = picked.some((path) => {
    const chosen = realPath(path);
    return real === chosen || real.startsWith(chosen.endsWith(sep) ? chosen : chosen + sep);
  });
  if (!allowed) throw refused(`docker cp with ${host}, which the user has not chosen`, hint);
}

/** Paths the user chose for each extension in a file dialog: what its `docker cp` may reach on this computer. */
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
