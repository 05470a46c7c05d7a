import { describe, expect, it } from 'vitest';
import { DOCKER_HUB_SERVER } from '../../../main/api/registry';
import { ACR_TOKEN_USERNAME, chosenPreset, presetById, presetOf, registryLabel, waysOf } from './presets';

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

describe('registry presets', () => {
  it('follows what is typed into Server', () => {
    expect(presetOf(DOCKER_HUB_SERVER)).toBe('hub');
    expect(presetOf(' GHCR.io ')).toBe('ghcr');
    expect(presetOf('quay.io')).toBe('quay');
    expect(presetOf('quay.io:443')).toBe('custom');
    expect(presetOf('host.docker.internal:5000')).toBe('custom');
    expect(presetOf('')).toBe('custom');
  });

  it("takes a host in a cloud's domain for that cloud, fitting its shape or not", () => {
    expect(presetOf(ECR)).toBe('ecr');
    expect(presetOf('123.dkr.ecr.eu-west-1.amazonaws.com')).toBe('ecr');
    expect(presetOf('123456789012.dkr-ecr.eu-west-1.on.aws')).toBe('ecr');
    expect(presetOf('myregistry.azurecr.io')).toBe('acr');
    expect(presetOf('my_registry.azurecr.cn')).toBe('acr');
    expect(presetOf('public.ecr.aws')).toBe('custom');
    expect(presetOf('ec2-203-0-113-5.compute-1.amazonaws.com:5000')).toBe('custom');
    expect(presetOf('azurecr.io.example.com')).toBe('custom');
  });

  it('keeps a cloud picked while its server is typed, and follows a server that names another registry', () => {
    expect(chosenPreset('', 'ecr')).toBe('ecr');
    expect(chosenPreset('12345', 'ecr')).toBe('ecr');
    expect(chosenPreset('registry.example.com', 'acr')).toBe('acr');
    expect(chosenPreset('ghcr.io', 'ecr')).toBe('ghcr');
    expect(chosenPreset('myregistry.azurecr.io', 'ecr')).toBe('acr');
    expect(chosenPreset('', 'custom')).toBe('custom');
    expect(chosenPreset('', 'quay')).toBe('custom');
  });

  it('offers docker-credential-ecr-login for ECR only where it is installed', () => {
    expect(waysOf('ecr', false).map((way) => way.id)).toEqual(['ecr-token']);
    expect(waysOf('ecr', true).map((way) => way.id)).toEqual(['ecr-token', 'ecr-login']);
    expect(waysOf('acr', true).map((way) => way.id)).toEqual(['acr-token', 'acr-admin']);
    expect(waysOf('hub', true).map((way) => way.id)).toEqual(['password']);
  });

  it('fills in the username each way takes: AWS, the zero GUID, or the registry name', () => {
    const [ecrToken] = waysOf('ecr', false);
    const [acrToken, acrAdmin] = waysOf('acr', false);
    expect(ecrToken!.username?.(ECR)).toBe('AWS');
    expect(acrToken!.username?.('myregistry.azurecr.io')).toBe(ACR_TOKEN_USERNAME);
    expect(ACR_TOKEN_USERNAME).toBe('00000000-0000-0000-0000-000000000000');
    expect(acrAdmin!.username?.(' contosoregistry.azurecr.us ')).toBe('contosoregistry');
    expect(acrAdmin!.username?.('contosoregistry-e8dpbwd4bedgaxcd.azurecr.io')).toBe('contosoregistry');
    expect(acrAdmin!.username?.('contoso')).toBe('');
    expect(waysOf('quay', false)[0]!.username).toBeUndefined();
  });

  it('gives the exact commands to run, with the region or name from the server once it fits', () => {
    const [ecrToken, ecrLogin] = waysOf('ecr', true);
    expect(ecrToken!.passwordHelp?.(ECR)).toContain('`aws ecr get-login-password --region eu-west-1`');
    expect(ecrToken!.passwordHelp?.(ECR)).toContain('valid for 12 hours');
    expect(ecrToken!.passwordHelp?.('123456789012.dkr-ecr.ap-south-2.on.aws')).toContain('--region ap-south-2`');
    expect(ecrToken!.passwordHelp?.('')).toContain('--region REGION`');
    expect(ecrToken!.usernameHelp?.(ECR)).toMatch(/^Always AWS/);
    expect(ecrLogin!.passwordHelp).toBeUndefined();
    expect(ecrLogin!.about?.(ECR)).toContain(`"credHelpers": { "${ECR}": "ecr-login" }`);
    expect(ecrLogin!.about?.(ECR)).toMatch(/signs in by itself/);

    const [acrToken, acrAdmin] = waysOf('acr', false);
    expect(acrToken!.passwordHelp?.('contoso.azurecr.io')).toContain('`az acr login --name contoso --expose-token`');
    expect(acrToken!.passwordHelp?.('contoso.azurecr.io')).toContain('valid for 3 hours');
    expect(acrToken!.usernameHelp?.('')).toBe(`Always ${ACR_TOKEN_USERNAME} with a token.`);
    expect(acrAdmin!.passwordHelp?.('contoso.azurecr.io')).toContain('`az acr credential show --name contoso`');
    expect(acrAdmin!.passwordHelp?.('')).toContain('--name NAME`');
    expect(acrAdmin!.usernameHelp?.('contoso.azurecr.io')).toContain('contoso, as in contoso.azurecr.io');
    expect(presetById('ecr').serverHelp).toMatch(/^ACCOUNT\.dkr\.ecr\.REGION\.amazonaws\.com/);
    expect(presetById('acr').serverHelp).toMatch(/^NAME\.azurecr\.io/);
  });

  it('names a well-known registry and keeps its server in view', () => {
    expect(registryLabel(DOCKER_HUB_SERVER)).toBe(`Docker Hub (${DOCKER_HUB_SERVER})`);
    expect(registryLabel('ghcr.io')).toBe('GitHub Container Registry (ghcr.io)');
    expect(registryLabel(ECR)).toBe(`Amazon ECR (${ECR})`);
    expect(registryLabel('contoso.azurecr.io')).toBe('Azure ACR (contoso.azurecr.io)');
    expect(registryLabel('registry.example.com:5000')).toBe('registry.example.com:5000');
  });
});
