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
const DOCKER_CLI = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

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

/**
 * Four significant digits, as Go's %.4g writes a value of at least 1 and under 1000: trailing zeros dropped,
 * and a value exactly halfway rounded to an even last digit (JavaScript's toPrecision rounds it up).
 */
function fourDigits(value: number): string {
  // Exact: a double under 1000 has fewer than 100 significant decimal digits.
  const digits = value.toPrecision(100).replace('.', '').replace(/^0+/, '');
  const halfway = /^\d{4}50*$/.test(digits);
  const text = halfway && Number(digits[3]) % 2 === 0 ? value.toPrecision(5).slice(0, -1) : value.toPrecision(4);
  return String(Number(text));
}

/** A size as the docker CLI writes it (`docker system df`, go-units' HumanSize): "1.234MB", "0B". */
export function formatDockerSize(bytes: number): string {
  const { value, unit } = scaled(bytes, 1000, DOCKER_CLI);
  return `${fourDigits(value)}${DOCKER_CLI[unit]}`;
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
