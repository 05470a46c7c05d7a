import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fitsDisplays, keepPlacement, readPlacement, writePlacement, type PlacedWindow, type WindowPlacement } from './windowState';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-window-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

const laptop = { x: 0, y: 0, width: 1440, height: 875 };
// A second screen to the right of the first, its work area below a 25 px menu bar.
const external = { x: 1440, y: 25, width: 2560, height: 1415 };

describe('the window placement file', () => {
  it('is written with only the user able to read it, and read back', () => {
    const path = join(dir, 'nested', 'window.json');
    const placement: WindowPlacement = { x: 10, y: 20, width: 900, height: 600, maximized: true };
    writePlacement(path, placement);
    expect(readPlacement(path)).toEqual(placement);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('is ignored when missing, not JSON, or not a placement', () => {
    const path = join(dir, 'window.json');
    expect(readPlacement(path)).toBeNull();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const text of ['{not json', '[]', '{"x":1,"y":2,"width":0,"height":600,"maximized":false}', '{"x":1.5,"y":2,"width":800,"height":600,"maximized":false}', '{"x":1,"y":2,"width":800,"height":600}']) {
      writeFileSync(path, text);
      expect(readPlacement(path)).toBeNull();
    }
    expect(warn).toHaveBeenCalledTimes(5);
    expect(warn.mock.calls[0]?.[0]).toContain(path);
    warn.mockRestore();
  });
});

describe('a saved placement', () => {
  it('fits when a connected display shows it, on either screen', () => {
    expect(fitsDisplays({ x: 100, y: 100, width: 1100, height: 720 }, [laptop])).toBe(true);
    expect(fitsDisplays({ x: 2000, y: 200, width: 1100, height: 720 }, [laptop, external])).toBe(true);
    // Across both screens, the larger part on the external one.
    expect(fitsDisplays({ x: 1000, y: 100, width: 1100, height: 720 }, [laptop, external])).toBe(true);
  });

  it('is refused on a display no longer connected, mostly off-screen, or with its title bar out of reach', () => {
    expect(fitsDisplays({ x: 2000, y: 200, width: 1100, height: 720 }, [laptop])).toBe(false);
    expect(fitsDisplays({ x: -5000, y: -5000, width: 800, height: 600 }, [laptop])).toBe(false);
    expect(fitsDisplays({ x: 1000, y: 100, width: 1100, height: 720 }, [laptop])).toBe(false);
    expect(fitsDisplays({ x: 100, y: -40, width: 1100, height: 720 }, [laptop])).toBe(false);
    expect(fitsDisplays({ x: 2000, y: 10, width: 1100, height: 720 }, [laptop, external])).toBe(false);
    expect(fitsDisplays({ x: 0, y: 0, width: 800, height: 600 }, [])).toBe(false);
  });
});

/** A window to drive: moves and closes as a user would. */
function windowAt(placement: WindowPlacement) {
  const placed: (() => void)[] = [];
  const closing: (() => void)[] = [];
  let current = placement;
  const win: PlacedWindow = {
    placement: () => current,
    onPlaced: (listener) => placed.push(listener),
    onClose: (listener) => closing.push(listener),
  };
  return {
    win,
    move(next: Partial<WindowPlacement>) {
      current = { ...current, ...next };
      for (const listener of placed) listener();
    },
    close: () => closing.forEach((listener) => listener()),
  };
}

describe('keeping the placement', () => {
  it('saves once the window has stopped moving, not on every step of a drag', () => {
    vi.useFakeTimers();
    const path = join(dir, 'window.json');
    const user = windowAt({ x: 0, y: 0, width: 1100, height: 720, maximized: false });
    keepPlacement(user.win, path, 500);
    for (let x = 10; x <= 100; x += 10) {
      user.move({ x });
      vi.advanceTimersByTime(100);
    }
    expect(readPlacement(path)).toBeNull();
    vi.advanceTimersByTime(400);
    expect(readPlacement(path)).toEqual({ x: 100, y: 0, width: 1100, height: 720, maximized: false });
    user.move({ maximized: true });
    vi.advanceTimersByTime(500);
    expect(readPlacement(path)?.maximized).toBe(true);
  });

  it('saves at once when the window closes, and not again after', () => {
    vi.useFakeTimers();
    const path = join(dir, 'window.json');
    const user = windowAt({ x: 0, y: 0, width: 1100, height: 720, maximized: false });
    keepPlacement(user.win, path, 500);
    user.move({ width: 1300 });
    user.close();
    expect(readPlacement(path)?.width).toBe(1300);
    writeFileSync(path, 'moved away');
    vi.advanceTimersByTime(1000);
    expect(readFileSync(path, 'utf8')).toBe('moved away');
  });

  it('goes on when the file cannot be written, saying where', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // A file where the folder should be.
    writeFileSync(join(dir, 'blocked'), '');
    const user = windowAt({ x: 0, y: 0, width: 1100, height: 720, maximized: false });
    keepPlacement(user.win, join(dir, 'blocked', 'window.json'));
    expect(() => user.close()).not.toThrow();
    expect(warn.mock.calls[0]?.[0]).toContain(join(dir, 'blocked', 'window.json'));
    warn.mockRestore();
  });
});
