import { describe, expect, it } from 'vitest';
import { admitExtension, DDCLIENT_PATH, withDdClient } from './extensionOrigin';

describe('admitExtension', () => {
  const admit = admitExtension('0123456789abcdef');

  it('passes ddClient calls on as the page itself, whatever key the page sent', () => {
    expect(admit('ddClient.toast', { key: 'fedcba9876543210', level: 'success', message: 'hi' })).toEqual({ key: '0123456789abcdef', level: 'success', message: 'hi' });
    expect(admit('ddClient.exec', null)).toEqual({ key: '0123456789abcdef' });
  });

  it.each(['engine.stop', 'extensions.remove', 'registry.signIn', 'containers.exec', 'ddClient.nope', 42])('refuses %s', (channel) => {
    expect(() => admit(channel, {})).toThrow(expect.objectContaining({ name: 'Forbidden' }));
  });
});

describe('withDdClient', () => {
  const tag = `<script src="${DDCLIENT_PATH}"></script>`;
  it('puts the script first in <head>, before the page\'s own', () => {
    const page = '<!doctype html><html lang="en"><head><script src="app.js"></script></head><body></body></html>';
    expect(withDdClient(Buffer.from(page)).toString()).toBe(`<!doctype html><html lang="en"><head>${tag}<script src="app.js"></script></head><body></body></html>`);
  });

  it('finds a place in a page without <head>', () => {
    expect(withDdClient(Buffer.from('<!DOCTYPE html><script>x()</script>')).toString()).toBe(`<!DOCTYPE html>${tag}<script>x()</script>`);
    expect(withDdClient(Buffer.from('<p>hi</p>')).toString()).toBe(`${tag}<p>hi</p>`);
  });
});
