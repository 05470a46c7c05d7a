import { describe, expect, it } from 'vitest';
import { admitExtension } from './admit';

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
