import { describe, expect, it } from 'vitest';
import { appendBounded, matchParts, shortTime } from './logLines';

describe('log lines', () => {
  it('keeps only the newest lines, however they arrive', () => {
    expect(appendBounded([1, 2, 3], [4, 5], 4)).toEqual([2, 3, 4, 5]);
    expect(appendBounded([1, 2], [3], 5)).toEqual([1, 2, 3]);
    expect(appendBounded([1, 2], [3, 4, 5, 6, 7, 8], 3)).toEqual([6, 7, 8]);
    let kept: number[] = [];
    for (let i = 0; i < 10_000; i += 1) kept = appendBounded(kept, [i], 500);
    expect(kept).toHaveLength(500);
    expect(kept[0]).toBe(9500);
  });

  it('marks every match of a search, ignoring case', () => {
    expect(matchParts('Tick tock TICK', 'tick')).toEqual([
      { text: 'Tick', match: true },
      { text: ' tock ', match: false },
      { text: 'TICK', match: true },
    ]);
    expect(matchParts('hello', '')).toEqual([{ text: 'hello', match: false }]);
    expect(matchParts('aaa', 'aa')).toEqual([
      { text: 'aa', match: true },
      { text: 'a', match: false },
    ]);
  });

  it("shortens Docker's timestamps to milliseconds", () => {
    expect(shortTime('2024-05-01T10:00:00.123456789Z')).toBe('2024-05-01 10:00:00.123');
    expect(shortTime('2024-05-01T10:00:00Z')).toBe('2024-05-01 10:00:00.000');
    expect(shortTime('2024-05-01T10:00:00.5Z')).toBe('2024-05-01 10:00:00.500');
    expect(shortTime(null)).toBe('');
  });
});
