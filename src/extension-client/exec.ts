import type { ExecScope } from '../main/api/ddClient';
import type { Exec, ExecChunk, ExecOptions, ExecOutput, ExecProcess, ExecResult, ExecStreamOptions, SpawnOptions, Transport, WireError } from './types';

/**
 * Docker's documentation passes arguments already quoted for a shell, such as `'"{{ json . }}"'`, but nothing
 * here runs a shell: one layer of matching surrounding quotes comes off, as Docker Desktop's own CLI call does.
 */
export function stripQuotes(arg: string): string {
  if (arg.length >= 2 && (arg[0] === '"' || arg[0] === "'") && arg[arg.length - 1] === arg[0]) return arg.slice(1, -1);
  return arg;
}

/** A plain copy of a wire error: contextBridge would strip an Error down to its message. */
export function plainError(error: unknown): WireError {
  const { name, message, hint } = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as Partial<WireError>;
  return { name: typeof name === 'string' ? name : 'Error', message: typeof message === 'string' ? message : String(error), hint: typeof hint === 'string' ? hint : '' };
}

function typeError(what: string, expected: string, value: unknown): TypeError {
  return new TypeError(`The "${what}" argument must be ${expected}; received ${value === null ? 'null' : typeof value}.`);
}

function checkArguments(cmd: unknown, args: unknown, options: unknown): void {
  if (typeof cmd !== 'string' || cmd === '') throw typeError('cmd', 'a non-empty string', cmd);
  if (!Array.isArray(args)) throw typeError('args', 'an array of strings', args);
  args.forEach((arg, i) => {
    if (typeof arg !== 'string') throw typeError(`args[${i}]`, 'a string', arg);
  });
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw typeError('options', 'an object', options);
  const { cwd, env } = options as ExecOptions;
  if (cwd !== undefined && typeof cwd !== 'string') throw typeError('options.cwd', 'a string', cwd);
  if (env === undefined) return;
  if (typeof env !== 'object' || env === null) throw typeError('options.env', 'an object of strings', env);
  for (const [name, value] of Object.entries(env)) if (typeof value !== 'string') throw typeError(`options.env.${name}`, 'a string', value);
}

function outputLines(stdout: string): string[] {
  const lines = stdout.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Docker's ExecResult: the output, how the command ended, and its parsing helpers. */
export function execResult(cmd: string, stdout: string, stderr: string, exit: { exit: number | null; signal: string | null } | null): ExecResult {
  return {
    cmd,
    ...(exit?.exit != null ? { code: exit.exit } : {}),
    ...(exit?.signal ? { signal: exit.signal, killed: true } : {}),
    stdout,
    stderr,
    lines: () => outputLines(stdout),
    parseJsonLines: () =>
      outputLines(stdout)
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown),
    parseJsonObject: () => JSON.parse(stdout) as unknown,
  };
}

const noExit: WireError = {
  name: 'ExecFailed',
  message: 'The command ended without an exit status.',
  hint: 'Try again; if it keeps happening, the Berth daemon log has the details.',
};

function runBlocking(transport: Transport, request: object, cmdLine: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let exit: { exit: number | null; signal: string | null } | null = null;
    transport.stream(
      'ddClient.exec',
      request,
      (payload) => {
        const chunk = payload as ExecChunk;
        if ('stdout' in chunk) stdout += chunk.stdout;
        else if ('stderr' in chunk) stderr += chunk.stderr;
        else exit = chunk;
      },
      (error) => {
        if (error) return reject(plainError(error));
        if (!exit) return reject(noExit);
        const result = execResult(cmdLine, stdout, stderr, exit);
        if (exit.exit === 0 && !exit.signal) resolve(result);
        else reject(result);
      },
    );
  });
}

/** Splits output into lines for `splitOutputLines`: a partial line waits for the rest of it, or for the end. */
class LineSplitter {
  private readonly pending = { stdout: '', stderr: '' };

  constructor(private readonly emit: (data: ExecOutput) => void) {}

  push(key: 'stdout' | 'stderr', text: string): void {
    const parts = (this.pending[key] + text).split('\n');
    this.pending[key] = parts.pop() ?? '';
    for (const line of parts) this.emit(key === 'stdout' ? { stdout: stripCr(line) } : { stderr: stripCr(line) });
  }

  flush(): void {
    for (const key of ['stdout', 'stderr'] as const) {
      const rest = this.pending[key];
      this.pending[key] = '';
      if (rest !== '') this.emit(key === 'stdout' ? { stdout: stripCr(rest) } : { stderr: stripCr(rest) });
    }
  }
}

const stripCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

function runStreaming(transport: Transport, request: object, options: ExecStreamOptions): ExecProcess {
  let closed = false;
  let exited = false;
  const output = (data: ExecOutput) => options.onOutput?.(data);
  const lines = options.splitOutputLines ? new LineSplitter(output) : null;
  const finish = (code: number) => {
    if (exited) return;
    exited = true;
    lines?.flush();
    options.onClose?.(code);
  };
  const handle = transport.stream(
    'ddClient.exec',
    request,
    (payload) => {
      if (closed) return;
      const chunk = payload as ExecChunk;
      if ('exit' in chunk) finish(chunk.exit ?? -1);
      else if (!lines) output(chunk);
      else if ('stdout' in chunk) lines.push('stdout', chunk.stdout);
      else lines.push('stderr', chunk.stderr);
    },
    (error) => {
      if (closed) return;
      if (error) {
        lines?.flush();
        options.onError?.(plainError(error));
      } else finish(-1);
    },
  );
  return {
    // The backend ends the command with SIGTERM; the page asked for the end, so no more callbacks come.
    close: () => {
      if (closed) return;
      closed = true;
      handle.cancel();
    },
  };
}

/** ddClient's `exec` for one place a command can run. */
export function makeExec(transport: Transport, scope: ExecScope): Exec {
  function exec(cmd: string, args: string[], options?: ExecOptions): Promise<ExecResult>;
  function exec(cmd: string, args: string[], options: SpawnOptions): ExecProcess;
  function exec(cmd: string, args: string[], options?: ExecOptions | SpawnOptions): Promise<ExecResult> | ExecProcess {
    checkArguments(cmd, args, options);
    const stripped = args.map(stripQuotes);
    const request = {
      scope,
      command: cmd,
      args: stripped,
      ...(options?.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options?.env !== undefined ? { env: { ...options.env } } : {}),
    };
    const stream = options && 'stream' in options ? options.stream : undefined;
    if (stream !== undefined) {
      if (typeof stream !== 'object' || stream === null) throw typeError('options.stream', 'an object', stream);
      return runStreaming(transport, request, stream);
    }
    return runBlocking(transport, request, [cmd, ...stripped].join(' '));
  }
  return exec;
}
