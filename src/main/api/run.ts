import { z } from 'zod';
import { VolumeName } from './volumes';

/**
 * The fields of "run a container", one rule each. The daemon checks a request with these schemas and the
 * form checks each field with the very same ones, so both say the same thing about the same mistake.
 */

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

/** A string schema that holds when `parse` finds no problem; the problem is the schema's message. */
function ruled<T>(parse: (text: string) => Parsed<T>) {
  return z.string().superRefine((text, ctx) => {
    const parsed = parse(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
  });
}

/** The value of a field the contract has already checked. */
export function parsedValue<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
}

// Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?';
const REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

export function parseImage(text: string): Parsed<string> {
  const image = text.trim();
  if (!image) return bad('Type the image to run, e.g. busybox or nginx:1.27.');
  const match = REFERENCE.exec(image);
  if (match && match[1]!.length <= 255) return ok(image);
  const why = /\s/.test(image)
    ? 'it contains a space'
    : /[A-Z]/.test(image.replace(/^[^/]+[.:][^/]*\//, '').split(/[:@]/)[0]!)
      ? 'repository names must be lowercase'
      : 'it breaks Docker’s naming rules';
  return bad(`“${image}” is not a valid image reference: ${why}. Write it as name[:tag], e.g. busybox:latest or registry.example.com/team/app:1.2.`);
}

const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function parseContainerName(text: string): Parsed<string> {
  const name = text.trim();
  if (CONTAINER_NAME.test(name)) return ok(name);
  return bad(`“${name}” cannot name a container: use letters, digits and _ . - (at least two characters, the first a letter or digit), or leave the name empty for a generated one.`);
}

export interface PortMapping {
  hostIp: string;
  /** Empty: the engine picks a free port. */
  hostPort: string;
  /** As the Engine API keys it: "80/tcp". */
  containerPort: string;
}

const PORT_MAPPING = /^(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(?:(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/;
const isPort = (digits: string | undefined) => digits === undefined || (Number(digits) >= 1 && Number(digits) <= 65535);

export function parsePortMapping(text: string): Parsed<PortMapping> {
  const port = text.trim();
  const match = PORT_MAPPING.exec(port);
  const ip = match?.[1];
  let why: string | null = null;
  if (!match) why = port.includes('-') ? 'port ranges are not supported' : 'it is not HOST:CONTAINER';
  else if (!isPort(match[2]) || !isPort(match[3])) why = 'ports go from 1 to 65535';
  else if (ip && ip.split('.').some((octet) => Number(octet) > 255)) why = `${ip} is not an IPv4 address`;
  if (why || !match) {
    return bad(`“${port}” is not a port mapping: ${why}. Write HOST:CONTAINER, e.g. 8080:80 (or 127.0.0.1:8080:80, or 53:53/udp).`);
  }
  return ok({ hostIp: ip ?? '', hostPort: match[2] ?? '', containerPort: `${match[3]}/${match[4] ?? 'tcp'}` });
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseEnvLine(text: string): Parsed<string> {
  const equals = text.indexOf('=');
  const key = equals < 0 ? text.trim() : text.slice(0, equals);
  if (equals > 0 && ENV_KEY.test(key)) return ok(text);
  const why = equals < 0 ? 'it has no =' : !key ? 'the key before = is empty' : `the key “${key}” holds something other than letters, digits and _ . - or starts with a digit`;
  return bad(`“${text.trim()}” is not an environment variable: ${why}. Write KEY=value, e.g. GREETING=hello.`);
}

/** A volume or a folder of the engine's machine, mounted at a path in the container: the Engine API's bind string. */
export function parseVolumeMount(text: string): Parsed<string> {
  const mount = text.trim();
  const [source = '', target = '', mode, ...rest] = mount.split(':');
  let why: string | null = null;
  if (!target) why = 'it has no : between the source and the path in the container';
  else if (rest.length || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) why = 'only :ro or :rw may follow the path';
  else if (!target.startsWith('/')) why = `the path in the container, “${target}”, must start with /`;
  else if (!source.startsWith('/') && !VolumeName.safeParse(source).success) why = `“${source}” is neither a volume name (letters, digits, _ . -) nor a path starting with /`;
  if (why) return bad(`“${mount}” is not a volume: ${why}. Write NAME:/path or /path:/path, optionally ending in :ro, e.g. data:/var/lib/data.`);
  return ok(mount);
}

/** Splits a command line into words as a POSIX shell would, without expanding anything. */
export function parseCommand(text: string): Parsed<string[]> {
  const words: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote === "'") {
      if (char === "'") quote = null;
      else word += char;
    } else if (char === '\\' && i + 1 < text.length && (!quote || '"\\$`'.includes(text[i + 1]!))) {
      word = (word ?? '') + text[++i];
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote) return bad(`The command has a ${quote} quote that is never closed: close it, e.g. sh -c 'echo hello; sleep 60'.`);
  if (word !== null) words.push(word);
  return ok(words);
}

const several = (rule: z.ZodType<string, string>) => z.array(rule).max(200);

export const RunRequest = z
  .object({
    image: ruled(parseImage),
    name: ruled(parseContainerName).optional(),
    ports: several(ruled(parsePortMapping)),
    env: several(ruled(parseEnvLine)),
    volumes: several(ruled(parseVolumeMount)),
    command: ruled(parseCommand).optional(),
  })
  .strict();
export type RunRequest = z.input<typeof RunRequest>;
