import { describe, expect, it } from 'vitest';
import type { SharedFolders } from '../settings/shares';
import { createInspector } from './bindCheck';
import { MAX_CREATE_BODY_BYTES, RequestFramer, type CreateInspector } from './requestFramer';

const shares: SharedFolders = { paths: ['/home/ana'], origin: 'setting' };

interface Outcome {
  /** What reached the engine. */
  forwarded: string;
  /** What the framer answered the client itself. */
  answered: string;
  ended: boolean;
}

/** Feeds `parts` one write at a time, as packets would arrive. */
async function frame(parts: Array<string | Buffer>, inspect: CreateInspector = createInspector(shares, '/home/ana/.local/share/berth/run/docker.sock')): Promise<Outcome> {
  let answered = '';
  const framer = new RequestFramer(inspect, (response) => (answered += response.toString('latin1')));
  const out: Buffer[] = [];
  let ended = false;
  framer.on('data', (chunk: Buffer) => out.push(chunk));
  framer.on('end', () => (ended = true));
  for (const part of parts) framer.write(typeof part === 'string' ? Buffer.from(part, 'latin1') : part);
  framer.end();
  await new Promise((resolve) => setImmediate(resolve));
  return { forwarded: Buffer.concat(out).toString('latin1'), answered, ended };
}

function post(path: string, body: string, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: api.moby.localhost\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const create = (hostConfig: unknown): string => post('/v1.45/containers/create?name=web', JSON.stringify({ Image: 'busybox', HostConfig: hostConfig }));
const ping = 'GET /_ping HTTP/1.1\r\nHost: api.moby.localhost\r\n\r\n';

/** Every way to cut `text` in two. */
function splits(text: string): Array<[string, string]> {
  return Array.from({ length: text.length - 1 }, (_, i) => [text.slice(0, i + 1), text.slice(i + 1)]);
}

describe('RequestFramer', () => {
  it('passes a create whose binds are inside a shared folder, unchanged', async () => {
    const request = create({ Binds: ['/home/ana/src:/src', 'cache:/cache', '/var/run/docker.sock:/var/run/docker.sock:ro'] });
    const outcome = await frame([request, ping]);
    expect(outcome.forwarded).toBe(request + ping);
    expect(outcome.answered).toBe('');
  });

  it('refuses a create with a bind outside the shared folders, naming the folder and the setting', async () => {
    const outcome = await frame([create({ Binds: ['/opt/x:/x'] }), ping]);
    expect(outcome.forwarded).toBe('');
    expect(outcome.ended).toBe(true);
    expect(outcome.answered).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(outcome.answered).toContain('Connection: close');
    const body = JSON.parse(outcome.answered.slice(outcome.answered.indexOf('\r\n\r\n') + 4)) as { message: string };
    expect(body.message).toBe(
      'Berth cannot mount /opt/x: it is outside the folders shared with the VM (setting "shares": /home/ana). ' +
        'Add it to the shares setting, or set BERTH_SHARES, then restart Berth.',
    );
  });

  it("gives a bind of Berth's host socket the engine's socket, with the Content-Length of the new body", async () => {
    const request = create({
      Binds: ['/home/ana/.local/share/berth/run/docker.sock:/var/run/docker.sock:ro', '/home/ana/src:/src'],
      Mounts: [{ Type: 'bind', Source: '/home/ana/.local/share/berth/run//docker.sock', Target: '/s' }],
    });
    for (const [a, b] of splits(request).filter((_, i) => i % 37 === 0)) {
      const outcome = await frame([a, b, ping]);
      expect(outcome.answered).toBe('');
      const head = outcome.forwarded.slice(0, outcome.forwarded.indexOf('\r\n\r\n'));
      const length = Number(/\r\nContent-Length: (\d+)/.exec(head)?.[1]);
      const body = outcome.forwarded.slice(head.length + 4, head.length + 4 + length);
      expect(outcome.forwarded.slice(head.length + 4 + length)).toBe(ping);
      const sent = JSON.parse(body) as { HostConfig: { Binds: string[]; Mounts: Array<{ Source: string }> } };
      expect(sent.HostConfig.Binds).toEqual(['/var/run/docker.sock:/var/run/docker.sock:ro', '/home/ana/src:/src']);
      expect(sent.HostConfig.Mounts[0].Source).toBe('/var/run/docker.sock');
    }
  });

  it("sends a Windows client's drive paths on as their guest paths, with the Content-Length of the new body", async () => {
    const windows = createInspector({ paths: ['C:\\Users\\ana'], origin: 'setting' }, '\\\\.\\pipe\\berth_docker', 'win32');
    const outcome = await frame([create({ Binds: ['C:\\Users\\ana\\src:/src', '//./pipe/berth_docker:/var/run/docker.sock'] }), ping], windows);
    expect(outcome.answered).toBe('');
    const head = outcome.forwarded.slice(0, outcome.forwarded.indexOf('\r\n\r\n'));
    const length = Number(/\r\nContent-Length: (\d+)/.exec(head)?.[1]);
    const body = outcome.forwarded.slice(head.length + 4, head.length + 4 + length);
    expect(outcome.forwarded.slice(head.length + 4 + length)).toBe(ping);
    expect((JSON.parse(body) as { HostConfig: { Binds: string[] } }).HostConfig.Binds).toEqual(['/mnt/c/Users/ana/src:/src', '/var/run/docker.sock:/var/run/docker.sock']);
    const refused = await frame([create({ Binds: ['E:\\x:/x'] })], windows);
    const message = (JSON.parse(refused.answered.slice(refused.answered.indexOf('\r\n\r\n') + 4)) as { message: string }).message;
    expect(message).toMatch(/^Berth cannot mount E:\\x: it is outside the folders shared with the VM \(setting "shares": C:\\Users\\ana\)/);
  });

  it('still refuses an unshared bind beside a socket bind', async () => {
    const outcome = await frame([create({ Binds: ['/home/ana/.local/share/berth/run/docker.sock:/s', '/opt/x:/x'] })]);
    expect(outcome.forwarded).toBe('');
    expect(outcome.answered).toContain('cannot mount /opt/x');
  });

  it('checks Mounts of type bind, after normalising the path, and leaves volumes alone', async () => {
    const escaping = await frame([create({ Mounts: [{ Type: 'bind', Source: '/home/ana/../bob', Target: '/b' }] })]);
    expect(escaping.answered).toContain('cannot mount /home/ana/../bob');
    const inside = create({ Mounts: [{ Type: 'bind', Source: '/home/ana/./a/', Target: '/a' }, { Type: 'volume', Source: 'data', Target: '/d' }] });
    expect((await frame([inside])).forwarded).toBe(inside);
    const neighbour = await frame([create({ Binds: ['/home/anabel:/x'] })]);
    expect(neighbour.answered).toContain('cannot mount /home/anabel');
  });

  it('finds a create split at any byte, and the request after it', async () => {
    const allowed = create({ Binds: ['/home/ana:/h'] });
    const refused = create({ Binds: ['/etc:/h'] });
    for (const [a, b] of splits(allowed)) expect((await frame([a, b, ping])).forwarded).toBe(allowed + ping);
    for (const [a, b] of splits(refused)) expect((await frame([ping, a, b])).forwarded).toBe(ping);
  });

  it('follows other requests with bodies, split anywhere, to the create after them', async () => {
    const other = post('/v1.45/networks/create', JSON.stringify({ Name: 'n', Labels: { a: '/opt' } }));
    const refused = create({ Binds: ['/opt/x:/x'] });
    for (const [a, b] of splits(other)) {
      const outcome = await frame([a, b, refused]);
      expect(outcome.forwarded).toBe(other);
      expect(outcome.answered).toContain('/opt/x');
    }
  });

  it('passes chunked bodies through unchanged and still sees the next request', async () => {
    const chunked =
      'POST /v1.45/build HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5\r\nhello\r\n' +
      'a;ext=1\r\n0123456789\r\n' +
      '0\r\nX-Trailer: 1\r\n\r\n';
    const refused = create({ Binds: ['/opt/x:/x'] });
    for (const [a, b] of splits(chunked)) {
      const outcome = await frame([a, b, refused]);
      expect(outcome.forwarded).toBe(chunked);
      expect(outcome.answered).toContain('/opt/x');
    }
  });

  it('passes a chunked create through uninspected', async () => {
    const body = JSON.stringify({ HostConfig: { Binds: ['/opt/x:/x'] } });
    const chunked = `POST /containers/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const outcome = await frame([chunked]);
    expect(outcome.forwarded).toBe(chunked);
    expect(outcome.answered).toBe('');
  });

  it('stops inspecting after an upgrade or a hijacking endpoint: what follows is a raw stream', async () => {
    const create = post('/containers/create', JSON.stringify({ HostConfig: { Binds: ['/opt/x:/x'] } }));
    const attach = 'POST /v1.45/containers/abc/attach?stream=1&stdin=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n';
    const attachOutcome = await frame([attach, create]);
    expect(attachOutcome.forwarded).toBe(attach + create);
    const execStart = post('/v1.45/exec/abc/start', '{"Detach":false,"Tty":false}');
    const execOutcome = await frame([execStart + create]);
    expect(execOutcome.forwarded).toBe(execStart + create);
    expect(execOutcome.answered).toBe('');
  });

  it('passes through whatever it cannot parse, from then on', async () => {
    const garbage = 'NOT HTTP AT ALL\r\n\r\n';
    const refusedLater = create({ Binds: ['/opt/x:/x'] });
    expect((await frame([garbage, refusedLater])).forwarded).toBe(garbage + refusedLater);
    const oddCoding = 'POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\nabc';
    expect((await frame([oddCoding, refusedLater])).forwarded).toBe(oddCoding + refusedLater);
    const doubleLength = 'POST /containers/create HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}';
    expect((await frame([doubleLength])).forwarded).toBe(doubleLength);
  });

  it('passes a create body that is not JSON, or too large to hold, for the engine to judge', async () => {
    const notJson = post('/containers/create', '{"HostConfig": ');
    expect((await frame([notJson])).forwarded).toBe(notJson);
    const padded = post('/containers/create', JSON.stringify({ HostConfig: { Binds: ['/opt/x:/x'] }, Pad: 'x'.repeat(MAX_CREATE_BODY_BYTES) }));
    expect((await frame([padded])).forwarded).toBe(padded);
  });

  it('hands on a request the client cut short', async () => {
    const partial = create({ Binds: ['/home/ana:/h'] }).slice(0, -5);
    expect((await frame([partial])).forwarded).toBe(partial);
    expect((await frame(['GET /_pi'])).forwarded).toBe('GET /_pi');
  });
});
