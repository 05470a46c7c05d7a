import { describe, expect, it } from 'vitest';
import { problemWith } from './channel';
import { parseCommand, parsePortMapping, RunRequest } from './run';

const field = RunRequest.shape;

describe('the fields of a run', () => {
  it('takes image references as Docker does, and says what is wrong with one it cannot', () => {
    for (const image of ['busybox', 'busybox:offline', 'library/nginx:1.27-alpine', 'localhost:5000/team/app:v2', `app@sha256:${'a'.repeat(64)}`]) {
      expect(problemWith(field.image, image), image).toBeNull();
    }
    expect(problemWith(field.image, 'BusyBox')).toContain('repository names must be lowercase');
    expect(problemWith(field.image, 'busy box')).toContain('it contains a space');
    expect(problemWith(field.image, 'busybox:-bad!')).toMatch(/not a valid image reference.*e\.g\. busybox:latest/);
    expect(problemWith(field.image, '  ')).toContain('Type the image to run');
  });

  it('reads port mappings into the Engine API’s terms', () => {
    expect(parsePortMapping('8080:80')).toEqual({ ok: true, value: { hostIp: '', hostPort: '8080', containerPort: '80/tcp' } });
    expect(parsePortMapping('127.0.0.1:5353:53/udp')).toEqual({ ok: true, value: { hostIp: '127.0.0.1', hostPort: '5353', containerPort: '53/udp' } });
    expect(parsePortMapping('80')).toEqual({ ok: true, value: { hostIp: '', hostPort: '', containerPort: '80/tcp' } });
    expect(problemWith(field.ports, ['8080:80', '80:http'])).toMatch(/“80:http” is not a port mapping: it is not HOST:CONTAINER\. Write HOST:CONTAINER, e\.g\. 8080:80/);
    expect(problemWith(field.ports, ['70000:80'])).toContain('ports go from 1 to 65535');
    expect(problemWith(field.ports, ['8000-8010:80'])).toContain('port ranges are not supported');
    expect(problemWith(field.ports, ['300.0.0.1:80:80'])).toContain('300.0.0.1 is not an IPv4 address');
  });

  it('wants KEY=value environment lines', () => {
    expect(problemWith(field.env, ['GREETING=hello world', 'EMPTY=', 'URL=a=b'])).toBeNull();
    expect(problemWith(field.env, ['GREETING'])).toContain('it has no =');
    expect(problemWith(field.env, ['=x'])).toContain('the key before = is empty');
    expect(problemWith(field.env, ['1A=x'])).toMatch(/the key “1A”.*Write KEY=value/);
  });

  it('mounts volumes by name or path at an absolute path', () => {
    expect(problemWith(field.volumes, ['data:/data', '/srv/www:/usr/share/www:ro'])).toBeNull();
    expect(problemWith(field.volumes, ['data'])).toContain('it has no :');
    expect(problemWith(field.volumes, ['data:relative'])).toContain('must start with /');
    expect(problemWith(field.volumes, ['data:/data:rx'])).toContain('only :ro or :rw');
    expect(problemWith(field.volumes, ['bad name:/data'])).toContain('neither a volume name');
  });

  it('splits a command into words as a shell would, expanding nothing', () => {
    expect(parseCommand(`sh -c 'echo $GREETING; sleep 600'`)).toEqual({ ok: true, value: ['sh', '-c', 'echo $GREETING; sleep 600'] });
    expect(parseCommand(`echo "a \\"b\\" $X" c\\ d ''`)).toEqual({ ok: true, value: ['echo', 'a "b" $X', 'c d', ''] });
    expect(problemWith(field.command, `sh -c 'echo`)).toContain("a ' quote that is never closed");
  });

  it('refuses a container name the engine would refuse', () => {
    expect(problemWith(field.name, 'web-1')).toBeNull();
    expect(problemWith(field.name, 'a')).toContain('at least two characters');
    expect(problemWith(field.name, 'my web')).toContain('cannot name a container');
  });
});
