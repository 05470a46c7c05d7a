import { describe, expect, it } from 'vitest';
import { DOCKER_HUB_SERVER } from '../../../main/api/registry';
import { signInProblems } from './formProblems';

describe('sign-in form problems', () => {
  it('accepts a preset or a host with a port', () => {
    const fine = { server: null, username: null, password: null };
    expect(signInProblems({ server: DOCKER_HUB_SERVER, username: 'alice', password: 'secret' })).toEqual(fine);
    expect(signInProblems({ server: ' host.docker.internal:5000 ', username: ' alice ', password: ' spaced ' })).toEqual(fine);
  });

  it('says what belongs in an empty field', () => {
    const problems = signInProblems({ server: '', username: ' ', password: '' });
    expect(problems.server).toMatch(/^Enter the registry/);
    expect(problems.username).toMatch(/^Enter the user name/);
    expect(problems.password).toMatch(/access token/);
  });

  it("words the contract's rule as what is expected", () => {
    expect(signInProblems({ server: 'https://ghcr.io/team', username: 'a', password: 'b' }).server).toMatch(/^Expected a registry host.*no https:\/\//);
  });
});
