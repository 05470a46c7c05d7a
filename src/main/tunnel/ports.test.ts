import { describe, expect, it } from 'vitest';
import type { PortProtocol } from '../api/engine';
import { PortForwarder, portError, type Forward } from './ports';

/** Listeners that open at once, except on the ports listed as taken. */
function fakeHost(taken: Record<number, string> = {}) {
  const listening = new Set<string>();
  const opened: string[] = [];
  const open = (protocol: PortProtocol, address: string, port: number): Forward => {
    const key = `${address}:${port}/${protocol}`;
    return {
      open: async () => {
        if (taken[port]) throw Object.assign(new Error(`listen ${taken[port]}`), { code: taken[port] });
        opened.push(key);
        listening.add(key);
      },
      close: () => listening.delete(key),
    };
  };
  return { open, listening, opened };
}

const settle = () => new Promise((done) => setImmediate(done));
const web = { id: 'c1', name: 'web', ports: [{ protocol: 'tcp' as const, hostPort: 8080, containerPort: 80 }] };

describe('the port forwarder', () => {
  it('opens a listener per published port on the bind address, and closes them when the container stops', async () => {
    const host = fakeHost();
    let changes = 0;
    const forwarder = new PortForwarder('127.0.0.1', host.open, () => changes++, () => undefined);
    forwarder.set({ ...web, ports: [...web.ports, { protocol: 'udp', hostPort: 5353, containerPort: 53 }] });
    await settle();
    expect([...host.listening].sort()).toEqual(['127.0.0.1:5353/udp', '127.0.0.1:8080/tcp']);
    expect(forwarder.status()).toEqual([
      { containerId: 'c1', container: 'web', protocol: 'udp', hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, state: 'forwarded' },
      { containerId: 'c1', container: 'web', protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, state: 'forwarded' },
    ]);
    expect(changes).toBeGreaterThan(0);

    forwarder.set({ ...web, ports: [] });
    expect(host.listening.size).toBe(0);
    expect(forwarder.status()).toEqual([]);
  });

  it('leaves an unchanged port alone and only adds or drops the difference', async () => {
    const host = fakeHost();
    const forwarder = new PortForwarder('127.0.0.1', host.open, () => undefined, () => undefined);
    forwarder.set(web);
    await settle();
    forwarder.set({ ...web, ports: [...web.ports, { protocol: 'tcp', hostPort: 8443, containerPort: 443 }] });
    await settle();
    forwarder.set({ ...web, ports: [{ protocol: 'tcp', hostPort: 8443, containerPort: 443 }] });
    await settle();
    expect(host.opened).toEqual(['127.0.0.1:8080/tcp', '127.0.0.1:8443/tcp']);
    expect([...host.listening]).toEqual(['127.0.0.1:8443/tcp']);
  });

  it('records a port the host cannot open, with its reason, and keeps the others', async () => {
    const host = fakeHost({ 8080: 'EADDRINUSE' });
    const forwarder = new PortForwarder('127.0.0.1', host.open, () => undefined, () => undefined);
    forwarder.set({ ...web, ports: [...web.ports, { protocol: 'tcp', hostPort: 9090, containerPort: 90 }] });
    await settle();
    const [failed, forwarded] = forwarder.status();
    expect(forwarded).toMatchObject({ hostPort: 9090, state: 'forwarded' });
    expect(failed).toMatchObject({
      hostPort: 8080,
      state: 'failed',
      error: {
        name: 'PortInUse',
        message: 'Port 8080/tcp on 127.0.0.1 is in use by another program.',
        hint: 'Stop that program or publish a different host port (-p OTHER:80).',
      },
    });
  });

  it('hands a host port to the container that publishes it now, even before the old one reports its stop', async () => {
    const host = fakeHost();
    const forwarder = new PortForwarder('127.0.0.1', host.open, () => undefined, () => undefined);
    forwarder.set(web);
    await settle();
    forwarder.set({ ...web, id: 'c2', name: 'web2' });
    await settle();
    // The old container's late stop must not close the new one's listener.
    forwarder.set({ ...web, ports: [] });
    expect(forwarder.status()).toMatchObject([{ containerId: 'c2', container: 'web2', state: 'forwarded' }]);
    expect(host.listening.size).toBe(1);
  });

  it('closes everything on close and opens nothing after', async () => {
    const host = fakeHost();
    const forwarder = new PortForwarder('127.0.0.1', host.open, () => undefined, () => undefined);
    forwarder.set(web);
    await settle();
    forwarder.close();
    forwarder.set({ ...web, id: 'c3' });
    await settle();
    expect(host.listening.size).toBe(0);
  });

  it('says why a port cannot be opened in words a user can act on', () => {
    expect(portError({ code: 'EACCES' }, '127.0.0.1', 80, 80, 'tcp')).toMatchObject({ name: 'PortNotPermitted', hint: expect.stringContaining('-p OTHER:80') });
    expect(portError({ code: 'EADDRINUSE' }, '127.0.0.1', 53, 53, 'udp').hint).toContain('-p OTHER:53/udp');
    expect(portError({ code: 'EADDRNOTAVAIL' }, '10.9.9.9', 80, 80, 'tcp').hint).toContain('bindAddress');
  });
});
