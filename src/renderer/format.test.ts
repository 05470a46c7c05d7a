import { describe, expect, it } from 'vitest';
import { formatBytes, formatPercent, formatRate, formatUsage } from './format';

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
});
