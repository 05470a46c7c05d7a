import { describe, expect, it } from 'vitest';
import { GuestConsole, parseGuestLine } from './console';

describe('guest console', () => {
  it('parses each kind of guest line', () => {
    expect(parseGuestLine('berth: handshake')).toEqual({ kind: 'handshake' });
    expect(parseGuestLine('[  1.2] berth: step sshd 1830\r')).toEqual({ kind: 'step', name: 'sshd', uptimeMs: 1830 });
    expect(parseGuestLine('berth: disk 1024 2048')).toEqual({ kind: 'disk', freeKiB: 1024, totalKiB: 2048 });
    expect(parseGuestLine('berth: ready 4100')).toEqual({ kind: 'ready', uptimeMs: 4100 });
    expect(parseGuestLine('berth: error data-corrupt bad superblock on vdb')).toEqual({
      kind: 'error',
      code: 'data-corrupt',
      message: 'bad superblock on vdb',
    });
    expect(parseGuestLine('Linux version 6.12')).toBeNull();
    expect(parseGuestLine('berth: step')).toBeNull();
  });

  it('joins lines split across chunks and resolves the awaited message', async () => {
    const guest = new GuestConsole();
    const ready = guest.first((m): m is { kind: 'ready'; uptimeMs: number } => m.kind === 'ready');
    guest.feed('noise\nberth: rea');
    guest.feed('dy 5000\n');
    await expect(ready).resolves.toEqual({ kind: 'ready', uptimeMs: 5000 });
  });

  it('resolves with a message that came before the wait began', async () => {
    const guest = new GuestConsole();
    guest.feed('berth: step sshd 6300\nberth: ready 9000\n');
    // A start step that waits for ready only after a slow SSH handshake must still see it.
    await expect(guest.first((m): m is { kind: 'ready'; uptimeMs: number } => m.kind === 'ready')).resolves.toEqual({ kind: 'ready', uptimeMs: 9000 });
    await expect(guest.first((m): m is { kind: 'step'; name: string; uptimeMs: number } => m.kind === 'step')).resolves.toMatchObject({ name: 'sshd' });
  });
});
