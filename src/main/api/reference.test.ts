import { describe, expect, it } from 'vitest';
import { parseReference, repositoryOf, splitTag } from './reference';

const parsed = (text: string) => {
  const checked = parseReference(text);
  if (!checked.ok) throw new Error(`${text}: ${checked.problem}`);
  return checked.reference;
};
const problem = (text: string, options = {}) => {
  const checked = parseReference(text, options);
  return checked.ok ? null : checked;
};

describe('image references', () => {
  it('reads the registry, repository, tag and digest as Docker does', () => {
    expect(parsed('busybox')).toEqual({ domain: null, path: 'busybox', tag: null, digest: null });
    expect(parsed('team/app:1.0')).toEqual({ domain: null, path: 'team/app', tag: '1.0', digest: null });
    expect(parsed('host.docker.internal:5000/berth/busybox:v2')).toEqual({ domain: 'host.docker.internal:5000', path: 'berth/busybox', tag: 'v2', digest: null });
    expect(parsed('localhost/app')).toMatchObject({ domain: 'localhost', path: 'app' });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parsed(`app:1@${digest}`)).toEqual({ domain: null, path: 'app', tag: '1', digest });
    expect(repositoryOf(parsed('registry.example.com:5000/team/app:1.0'))).toBe('registry.example.com:5000/team/app');
    expect(parsed('  busybox  ').path).toBe('busybox');
  });

  it('refuses capitals in a repository, suggesting the lowercase name', () => {
    expect(problem('MyApp:1.0')).toEqual({ ok: false, problem: 'Repository names are lowercase: “MyApp” has capital letters.', hint: 'Use “myapp:1.0” instead.' });
    expect(problem('registry.example.com/Team/App')?.hint).toBe('Use “registry.example.com/team/app” instead.');
    // Docker would send "Team/app" to a registry named Team; it is taken for the repository it meant.
    expect(problem('Team/app')?.hint).toBe('Use “team/app” instead.');
    expect(problem('Registry.Example.com/app')).toBeNull();
  });

  it('says what is wrong with spaces, empty input, bad tags and bad digests', () => {
    expect(problem('my image')?.problem).toContain('has a space in it');
    expect(problem('   ')?.problem).toBe('Enter an image reference.');
    expect(problem('app:-1')?.problem).toBe('“-1” is not a valid tag.');
    expect(problem('app@sha256:abc')?.problem).toBe('“sha256:abc” is not a valid digest.');
    expect(problem('app--_x')?.problem).toBe('“app--_x” is not a valid repository name.');
    expect(problem(':1.0')?.problem).toContain('has no repository name');
    expect(problem('bad_host:5000/app')?.problem).toBe('“bad_host:5000” is not a valid registry address.');
    expect(problem(`app@sha256:${'a'.repeat(64)}`, { digest: false })?.problem).toContain('cannot hold a digest');
    for (const bad of ['my image', '', 'app:-1', 'MyApp']) expect(problem(bad)?.hint).toBeTruthy();
  });

  it("splits a tag off, and leaves a registry's port alone", () => {
    expect(splitTag('app:1')).toEqual({ repository: 'app', tag: '1' });
    expect(splitTag('host:5000/app')).toEqual({ repository: 'host:5000/app', tag: null });
    expect(splitTag('host:5000/app:2')).toEqual({ repository: 'host:5000/app', tag: '2' });
  });
});
