import { describe, expect, it } from 'vitest';
import { jsonTokens } from './jsonTokens';

describe('inspect JSON', () => {
  it('tells keys from string values, numbers and literals, and loses no character', () => {
    const value = { Id: 'abc', State: { Running: true, Pid: 42, Error: '' }, Args: ['-c', 'say "hi": 1'], Path: null };
    const tokens = jsonTokens(value);
    expect(tokens.map((token) => token.text).join('')).toBe(JSON.stringify(value, null, 2));
    const kinds = (kind: string) => tokens.filter((token) => token.kind === kind).map((token) => token.text);
    expect(kinds('key')).toEqual(['"Id"', '"State"', '"Running"', '"Pid"', '"Error"', '"Args"', '"Path"']);
    expect(kinds('string')).toEqual(['"abc"', '""', '"-c"', '"say \\"hi\\": 1"']);
    expect(kinds('number')).toEqual(['42']);
    expect(kinds('literal')).toEqual(['true', 'null']);
  });
});
