import { describe, expect, it } from 'vitest';
import { DDCLIENT_PATH, withDdClient } from './extensionOrigin';

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
