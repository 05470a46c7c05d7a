/**
 * How the window writes sizes, rates, shares and times: sizes of images in decimal units as `docker
 * images` does, and usage in binary units as `docker stats` does, so each figure matches the CLI's.
 */

/** `bytes` in the largest of `units` (each `base` times the last) that keeps the value at least 1. */
function scaled(bytes: number, base: number, units: string[]): { value: number; unit: number } {
  let value = bytes;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit += 1;
  }
  return { value, unit };
}

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A size as `docker images` writes it: "1.98 MB". */
export function formatBytes(bytes: number): string {
  const { value, unit } = scaled(bytes, 1000, DECIMAL);
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${DECIMAL[unit]}`;
}

/** A size as `docker stats` writes it: "1.5 KiB", a decimal only where it helps. */
export function formatUsage(bytes: number): string {
  const { value, unit } = scaled(bytes, 1024, BINARY);
  return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${BINARY[unit]}`;
}

export const formatRate = (bytesPerSecond: number): string => `${formatUsage(bytesPerSecond)}/s`;

export const formatPercent = (percent: number): string => `${percent.toFixed(percent >= 100 ? 0 : 1)} %`;

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

/** "3 days ago", from Unix seconds. */
export function formatAgo(unixSeconds: number, now = Date.now()): string {
  let value = (unixSeconds * 1000 - now) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), 'year');
}

export const formatDate = (unixSeconds: number): string => new Date(unixSeconds * 1000).toLocaleString();
