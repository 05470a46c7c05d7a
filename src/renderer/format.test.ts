import { describe, expect, it } from 'vitest';
import { formatBytes, formatDockerSize, formatPercent, formatRate, formatUsage } from './format';

describe('formats', () => {
  it('writes sizes in binary units with a decimal where it helps', () => {
    expect(formatUsage(0)).toBe('0 B');
    expect(formatUsage(1023)).toBe('1023 B');
    expect(formatUsage(1536)).toBe('1.5 KiB');
    expect(formatUsage(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatRate(2048)).toBe('2.0 KiB/s');
    expect(formatPercent(3.14159)).toBe('3.1 %');
    expect(formatPercent(180.2)).toBe('180 %');
  });

  it('writes image sizes in decimal units, as docker images does', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_980_000)).toBe('1.98 MB');
    expect(formatBytes(123_400_000)).toBe('123.4 MB');
  });

  it('writes sizes as the docker CLI does: four significant digits, no space, an exact half rounded to even', () => {
    expect(formatDockerSize(0)).toBe('0B');
    expect(formatDockerSize(999)).toBe('999B');
    expect(formatDockerSize(1000)).toBe('1kB');
    expect(formatDockerSize(1_234_567)).toBe('1.235MB');
    expect(formatDockerSize(4_000_000)).toBe('4MB');
    expect(formatDockerSize(999_950)).toBe('1000kB');
    expect(formatDockerSize(100_250)).toBe('100.2kB');
    expect(formatDockerSize(100_750)).toBe('100.8kB');
    // 100.35 is a little under in binary: no tie, as Go sees it too.
    expect(formatDockerSize(100_350)).toBe('100.3kB');
    expect(formatDockerSize(68_719_476_736)).toBe('68.72GB');
  });
});
