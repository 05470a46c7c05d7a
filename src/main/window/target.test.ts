import { describe, expect, it } from 'vitest';
import { parseTarget } from './target';

describe('parseTarget', () => {
  it('reads the decoded path and the query of a path or an absolute URL', () => {
    expect(parseTarget('/a%20b/c.js?token=x&key=y')).toMatchObject({ path: '/a b/c.js' });
    expect(parseTarget('/?token=x')!.query.get('token')).toBe('x');
    expect(parseTarget(undefined)).toMatchObject({ path: '/' });
    expect(parseTarget('berth://app/assets/x.js')).toMatchObject({ host: 'app', path: '/assets/x.js' });
  });

  it.each(['http://[', 'http://[/x', 'http://a b/', '/%', '/%E0%A4%A', 'http://:99999/'])('is null for %s, which is no URL or no decodable path', (target) => {
    expect(parseTarget(target)).toBeNull();
  });
});
