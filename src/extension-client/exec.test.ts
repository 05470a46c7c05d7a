import { describe, expect, it, vi } from 'vitest';
import { createDdClient } from './client';
import { stripQuotes } from './exec';
import { context, FakeTransport } from './fakeTransport';
import type { ExecOutput, ExecResult } from './types';

function setup() {
  const transport = new FakeTransport();
  return { transport, client: createDdClient(transport, context) };
}

describe('stripQuotes', () => {
  it('takes one layer of matching quotes off, and nothing else', () => {
    expect(stripQuotes('"{{ json . }}"')).toBe('{{ json . }}');
    expect(stripQuotes("'abc'")).toBe('abc');
    expect(stripQuotes(`'"x"'`)).toBe('"x"');
    expect(stripQuotes('"abc\'')).toBe('"abc\'');
    expect(stripQuotes('--format="{{json .}}"')).toBe('--format="{{json .}}"');
    expect(stripQuotes('"')).toBe('"');
    expect(stripQuotes('""')).toBe('');
    expect(stripQuotes('plain')).toBe('plain');
  });
});

describe('exec, blocking', () => {
  it('runs in each scope with stripped arguments and resolves the result', async () => {
    const { transport, client } = setup();
    const cases = [
      [client.docker.cli.exec, 'docker'],
      [client.extension.vm.cli.exec, 'vm'],
      [client.extension.host.cli.exec, 'host'],
    ] as const;
    for (const [exec, scope] of cases) {
      const pending = exec('info', ['--format', '"{{ json . }}"'], { cwd: '/tmp', env: { A: '1' } });
      const stream = transport.lastStream();
      expect(stream.channel).toBe('ddClient.exec');
      expect(stream.request).toEqual({ scope, command: 'info', args: ['--format', '{{ json . }}'], cwd: '/tmp', env: { A: '1' } });
      stream.chunk({ stdout: '{"a":1}\n{"b"' });
      stream.chunk({ stdout: ':2}\n' });
      stream.chunk({ stderr: 'warning\n' });
      stream.chunk({ exit: 0, signal: null });
      stream.end(null);
      const result = await pending;
      expect(result).toMatchObject({ cmd: 'info --format {{ json . }}', code: 0, stdout: '{"a":1}\n{"b":2}\n', stderr: 'warning\n' });
      expect(result.lines()).toEqual(['{"a":1}', '{"b":2}']);
      expect(result.parseJsonLines()).toEqual([{ a: 1 }, { b: 2 }]);
      expect(result.signal).toBeUndefined();
    }
  });

  it('parses a whole JSON document', async () => {
    const { transport, client } = setup();
    const pending = client.docker.cli.exec('version', []);
    const stream = transport.lastStream();
    expect(stream.request).toEqual({ scope: 'docker', command: 'version', args: [] });
    stream.chunk({ stdout: '{\n  "Client": {"Version": "28"}\n}\n' });
    stream.chunk({ exit: 0, signal: null });
    stream.end(null);
    expect((await pending).parseJsonObject()).toEqual({ Client: { Version: '28' } });
  });

  it('rejects with the result object on a non-zero exit', async () => {
    const { transport, client } = setup();
    const pending = client.extension.host.cli.exec('tool', ['fail']);
    const stream = transport.lastStream();
    stream.chunk({ stderr: 'boom\n' });
    stream.chunk({ exit: 3, signal: null });
    stream.end(null);
    const error = (await pending.catch((e: unknown) => e)) as ExecResult;
    expect(error).toMatchObject({ code: 3, stderr: 'boom\n', stdout: '' });
    expect(error.lines()).toEqual([]);
  });

  it('rejects with the result object when a signal ended the command', async () => {
    const { transport, client } = setup();
    const pending = client.extension.vm.cli.exec('sleep', ['100']);
    const stream = transport.lastStream();
    stream.chunk({ exit: null, signal: 'SIGKILL' });
    stream.end(null);
    const error = (await pending.catch((e: unknown) => e)) as ExecResult;
    expect(error).toMatchObject({ signal: 'SIGKILL', killed: true, stdout: '' });
    expect(error.code).toBeUndefined();
  });

  it('rejects with the backend error as a plain object', async () => {
    const { transport, client } = setup();
    const pending = client.extension.host.cli.exec('missing', []);
    transport.lastStream().end({ name: 'NotFound', message: 'No host binary named missing.', hint: 'Check metadata.json.' });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toEqual({ name: 'NotFound', message: 'No host binary named missing.', hint: 'Check metadata.json.' });
    expect(error).not.toBeInstanceOf(Error);
  });

  it('rejects when the stream ends without an exit status', async () => {
    const { transport, client } = setup();
    const pending = client.docker.cli.exec('ps', []);
    transport.lastStream().end(null);
    await expect(pending).rejects.toMatchObject({ name: 'ExecFailed' });
  });

  it('refuses arguments that are not strings before sending anything', () => {
    const { transport, client } = setup();
    const exec = client.docker.cli.exec as (...args: unknown[]) => unknown;
    expect(() => exec(42, [])).toThrow(TypeError);
    expect(() => exec('ps', 'a')).toThrow(TypeError);
    expect(() => exec('ps', [1])).toThrow(/args\[0\]/);
    expect(() => exec('ps', [], { cwd: 1 })).toThrow(/options.cwd/);
    expect(() => exec('ps', [], { env: { A: 1 } })).toThrow(/options.env.A/);
    expect(transport.streams).toHaveLength(0);
  });
});

describe('exec, streaming', () => {
  function spawn(splitOutputLines?: boolean) {
    const { transport, client } = setup();
    const output: ExecOutput[] = [];
    const onClose = vi.fn();
    const onError = vi.fn();
    const proc = client.docker.cli.exec('logs', ['-f', "'web'"], {
      stream: { onOutput: (data) => output.push(data), onClose, onError, ...(splitOutputLines === undefined ? {} : { splitOutputLines }) },
    });
    return { transport, stream: transport.lastStream(), output, onClose, onError, proc };
  }

  it('passes chunks as they come and the exit code at the end', () => {
    const { stream, output, onClose, onError } = spawn();
    expect(stream.request).toEqual({ scope: 'docker', command: 'logs', args: ['-f', 'web'] });
    stream.chunk({ stdout: 'one\ntw' });
    stream.chunk({ stderr: 'err' });
    stream.chunk({ stdout: 'o\n' });
    stream.chunk({ exit: 0, signal: null });
    stream.end(null);
    expect(output).toEqual([{ stdout: 'one\ntw' }, { stderr: 'err' }, { stdout: 'o\n' }]);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onClose).toHaveBeenCalledWith(0);
    expect(onError).not.toHaveBeenCalled();
  });

  it('gives one call per line with splitOutputLines, flushing partial lines at the end', () => {
    const { stream, output, onClose } = spawn(true);
    stream.chunk({ stdout: 'one\r\ntw' });
    stream.chunk({ stderr: 'e1\ne' });
    stream.chunk({ stdout: 'o\nthree\n\nfour' });
    expect(output).toEqual([{ stdout: 'one' }, { stderr: 'e1' }, { stdout: 'two' }, { stdout: 'three' }, { stdout: '' }]);
    stream.chunk({ stderr: '2' });
    stream.chunk({ exit: 1, signal: null });
    expect(output.slice(5)).toEqual([{ stdout: 'four' }, { stderr: 'e2' }]);
    expect(onClose).toHaveBeenCalledWith(1);
  });

  it('reports an exit by signal as -1', () => {
    const { stream, onClose } = spawn();
    stream.chunk({ exit: null, signal: 'SIGTERM' });
    expect(onClose).toHaveBeenCalledWith(-1);
  });

  it('close() cancels the stream, and nothing more reaches the page', () => {
    const { stream, output, onClose, proc } = spawn();
    expect(stream.cancelled).toBe(false);
    proc.close();
    expect(stream.cancelled).toBe(true);
    stream.chunk({ stdout: 'late' });
    stream.chunk({ exit: null, signal: 'SIGTERM' });
    stream.end(null);
    proc.close();
    expect(output).toEqual([]);
    expect(onClose).not.toHaveBeenCalled();
  });

  it('calls onError with a plain error when the stream fails', () => {
    const { stream, onError, onClose } = spawn();
    stream.end({ name: 'BackendDown', message: 'The backend is not running.', hint: 'Reinstall the extension.' });
    expect(onError).toHaveBeenCalledWith({ name: 'BackendDown', message: 'The backend is not running.', hint: 'Reinstall the extension.' });
    expect(onClose).not.toHaveBeenCalled();
  });

  it('works without any callbacks', () => {
    const { transport, client } = setup();
    const proc = client.extension.vm.cli.exec('top', [], { stream: {} });
    const stream = transport.lastStream();
    stream.chunk({ stdout: 'x' });
    stream.chunk({ exit: 0, signal: null });
    stream.end(null);
    proc.close();
    expect(stream.request).toEqual({ scope: 'vm', command: 'top', args: [] });
  });
});
