import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeFileDurably } from '../durableFile';

/** The window's size and place when not maximized, and whether it was maximized: what the next start restores. */
export const WindowPlacement = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean(),
});
export type WindowPlacement = z.infer<typeof WindowPlacement>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the shell needs of its window to keep its placement. */
export interface PlacedWindow {
  placement(): WindowPlacement;
  /** Moved, resized, maximized or restored. */
  onPlaced(listener: () => void): void;
  /** About to close: its placement can still be read. */
  onClose(listener: () => void): void;
}

/** The saved placement, or null when there is none or it is not one (a bad file is ignored, and replaced at the next save). */
export function readPlacement(path: string): WindowPlacement | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = WindowPlacement.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    console.warn(`Berth: ignoring ${path}: ${parsed.error.issues[0]?.message ?? 'not a window placement'}`);
  } catch (error) {
    console.warn(`Berth: ignoring ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return null;
}

export function writePlacement(path: string, placement: WindowPlacement): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileDurably(path, `${JSON.stringify(placement)}\n`, 0o600);
}

const overlap = (a: Rect, b: Rect): number =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/**
 * Whether a saved placement still fits the displays connected now (their work areas): one of them must show at least
 * half of the window, and its top edge, where the title bar is, so that the window can be seen and dragged. A placement
 * on a display since unplugged fails, and the window opens where the system puts it.
 */
export function fitsDisplays(placement: Rect, workAreas: readonly Rect[]): boolean {
  const area = workAreas.reduce<Rect | null>((best, next) => (!best || overlap(placement, next) > overlap(placement, best) ? next : best), null);
  if (!area) return false;
  const halfShown = overlap(placement, area) * 2 >= placement.width * placement.height;
  const topShown = placement.y >= area.y && placement.y < area.y + area.height;
  return halfShown && topShown;
}

/** Saves the window's placement a moment after it last moved or was resized (a drag fires many), and at once on close. */
export function keepPlacement(win: PlacedWindow, path: string, delayMs = 500): void {
  let timer: NodeJS.Timeout | undefined;
  const save = (): void => {
    clearTimeout(timer);
    timer = undefined;
    try {
      writePlacement(path, win.placement());
    } catch (error) {
      // Only the next start's placement is lost: the window goes on as it is.
      console.warn(`Berth: could not save the window's placement in ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  win.onPlaced(() => {
    clearTimeout(timer);
    timer = setTimeout(save, delayMs);
  });
  win.onClose(save);
}
