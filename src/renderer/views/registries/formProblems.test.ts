import { describe, expect, it } from 'vitest';
import { DOCKER_HUB_SERVER } from '../../../main/api/registry';
import { signInProblems } from './formProblems';

const fine = { server: null, username: null, password: null };
const withServer = (server: string) => ({ server, username: 'AWS', password: 'token' });

describe('sign-in form problems', () => {
  it('accepts a preset or a host with a port', () => {
    expect(signInProblems({ server: DOCKER_HUB_SERVER, username: 'alice', password: 'secret' })).toEqual(fine);
    expect(signInProblems({ server: ' host.docker.internal:5000 ', username: ' alice ', password: ' spaced ' })).toEqual(fine);
  });

  it('says what belongs in an empty field', () => {
    const problems = signInProblems({ server: '', username: ' ', password: '' });
    expect(problems.server).toMatch(/^Enter the registry/);
    expect(problems.username).toMatch(/^Enter the user name/);
    expect(problems.password).toMatch(/access token/);
    expect(signInProblems(withServer(''), 'ecr').server).toBe('Enter your ECR registry, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com.');
    expect(signInProblems(withServer(''), 'acr').server).toBe("Enter your registry's login server, such as myregistry.azurecr.io.");
  });

  it("words the contract's rule as what is expected", () => {
    expect(signInProblems({ server: 'https://ghcr.io/team', username: 'a', password: 'b' }).server).toMatch(/^Expected a registry host.*no https:\/\//);
  });

  it('accepts the real shapes of ECR hosts: China regions, FIPS and dual-stack endpoints', () => {
    for (const server of [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
      '123456789012.dkr-ecr.eu-central-1.on.aws',
    ]) {
      expect(signInProblems(withServer(server), 'ecr'), server).toEqual(fine);
      // Typed under Custom, a cloud's host is held to the same shape.
      expect(signInProblems(withServer(server), 'custom'), server).toEqual(fine);
    }
  });

  it('refuses a malformed ECR host, naming the shape, whichever preset it was typed under', () => {
    for (const server of [
      '12345.dkr.ecr.us-east-1.amazonaws.com',
      '123456789012.dkr.ecr.amazonaws.com',
      '123456789012.ecr.us-east-1.amazonaws.com',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example',
    ]) {
      expect(signInProblems(withServer(server), 'ecr').server, server).toMatch(/^Expected an Amazon ECR registry: ACCOUNT\.dkr\.ecr\.REGION\.amazonaws\.com/);
    }
    expect(signInProblems(withServer('12345.dkr.ecr.us-east-1.amazonaws.com'), 'custom').server).toMatch(/^Expected an Amazon ECR registry/);
    // A registry of one's own on an EC2 name is no ECR registry, and is not held to that shape.
    expect(signInProblems(withServer('ec2-203-0-113-5.compute-1.amazonaws.com:5000'), 'custom')).toEqual(fine);
    // ECR chosen, a host of no cloud is no ECR registry either.
    expect(signInProblems(withServer('registry.example.com'), 'ecr').server).toMatch(/^Expected an Amazon ECR registry/);
  });

  it('accepts ACR login servers in every cloud, and refuses names of the wrong length or letters', () => {
    for (const server of ['contoso.azurecr.io', 'Contoso2.azurecr.cn', 'contoso.azurecr.us', `${'a'.repeat(50)}.azurecr.io`, 'contoso-e8dpbwd4bedgaxcd.azurecr.io']) {
      expect(signInProblems(withServer(server), 'acr'), server).toEqual(fine);
    }
    for (const server of ['abcd.azurecr.io', `${'a'.repeat(51)}.azurecr.io`, 'con_toso.azurecr.io', 'contoso.azurecr.de', 'contoso.azurecr.io:443']) {
      expect(signInProblems(withServer(server), 'acr').server, server).toMatch(/^Expected an Azure registry: NAME\.azurecr\.io.*5 to 50 letters and digits/);
    }
    expect(signInProblems(withServer('con_toso.azurecr.io'), 'custom').server).toMatch(/^Expected an Azure registry/);
  });

  it('asks no username or password of a way that needs none', () => {
    expect(signInProblems({ server: '123456789012.dkr.ecr.us-east-1.amazonaws.com', username: '', password: '' }, 'ecr', false)).toEqual(fine);
    expect(signInProblems({ server: '1234.dkr.ecr.us-east-1.amazonaws.com', username: '', password: '' }, 'ecr', false).server).toMatch(/^Expected an Amazon ECR/);
  });
});
