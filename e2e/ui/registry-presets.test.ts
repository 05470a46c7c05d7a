import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newInstance, type Instance } from '../support/berth';
import { launchChromium, screenshot, type Chromium } from '../support/browser';
import { startServe, type Served } from '../support/serve';

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const ACR = 'contoso.azurecr.io';
const ECR_LOGIN_CHOICE = 'docker-credential-ecr-login (installed on this computer)';

/**
 * The presets need no engine: the form checks what is typed, and a well-formed sign-in goes to the backend,
 * which stops at the engine being stopped. So nothing is ever sent to AWS or Azure; nothing leaves loopback.
 * docker-credential-ecr-login is a stand-in (the real one needs AWS) that notes every call: none is expected,
 * since choosing it only writes config.json.
 */
describe('the Registries presets for Amazon ECR and Azure ACR (`berth serve`, engine stopped)', () => {
  let bin: string;
  let instance: Instance;
  let served: Served;
  let chromium: Chromium;
  let page: Page;

  const field = (label: string) => page.getByLabel(label, { exact: true });
  const help = (id: string) => page.locator(`#registry-${id}-help`);
  const radio = (name: string) => page.getByRole('radio', { name, exact: true });
  const button = (name: string) => page.getByRole('button', { name, exact: true });
  const helperCalls = () => (existsSync(join(bin, 'calls')) ? readFileSync(join(bin, 'calls'), 'utf8') : '');
  /** The docker CLI's config.json; none until something writes it (with the engine stopped, nothing else does). */
  const config = (): { credHelpers?: Record<string, string> } => {
    const path = join(instance.env.DOCKER_CONFIG!, 'config.json');
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  };
  const open = async () => {
    await page.goto(`${served.url}#/registries`);
    await button('Sign in').waitFor({ timeout: 20_000 });
  };
  /** The form refused to send: the problem shows beside the field, and the backend heard nothing. */
  const refusedBeside = async (id: string, text: string) => {
    const problem = page.locator(`#registry-${id}-problem`);
    await problem.filter({ hasText: text }).waitFor({ timeout: 5000 });
    expect(await field(id === 'server' ? 'Server' : id).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('Could not sign in').count()).toBe(0);
  };
  /** Sent: the contract took the request, and only the stopped engine kept it from the registry. */
  const sentUpToTheEngine = async (server: string) => {
    const refusal = page.getByRole('alert').filter({ hasText: `Could not sign in to ${server}` });
    await refusal.waitFor({ timeout: 10_000 });
    expect(await refusal.innerText()).toContain('The engine is not running.');
    expect(await page.locator('[id$="-problem"]').count()).toBe(0);
    await refusal.getByRole('button', { name: 'Dismiss', exact: true }).click();
  };

  beforeAll(async () => {
    bin = mkdtempSync(join(tmpdir(), 'bt-ecr-'));
    const helper = join(bin, 'docker-credential-ecr-login');
    writeFileSync(helper, `#!/bin/sh\necho "$1" >> '${join(bin, 'calls')}'\necho 'no AWS here'\nexit 1\n`);
    chmodSync(helper, 0o755);
    // The daemon `berth serve` starts inherits this PATH, and finds the helper on it.
    instance = newInstance({ PATH: `${bin}${delimiter}${process.env.PATH}` });
    served = await startServe(instance);
    chromium = await launchChromium();
    page = await chromium.newPage();
    await open();
  });

  afterAll(async () => {
    await chromium?.close();
    await served?.stop();
    if (instance) rmSync(instance.home, { recursive: true, force: true });
    if (bin) rmSync(bin, { recursive: true, force: true });
  });

  it('Amazon ECR: fills in AWS, says where the token comes from and for how long, with the region from the server', async () => {
    await radio('Amazon ECR').check();
    expect(await field('Server').inputValue()).toBe('');
    expect(await field('Server').getAttribute('placeholder')).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com');
    expect(await field('Server').evaluate((input) => input === document.activeElement)).toBe(true);
    expect(await field('Username').inputValue()).toBe('AWS');
    expect(await help('server').innerText()).toMatch(/^ACCOUNT\.dkr\.ecr\.REGION\.amazonaws\.com: your 12-digit AWS account ID/);
    expect(await help('username').innerText()).toBe('Always AWS with a token from aws ecr get-login-password.');
    expect(await help('password').locator('code').innerText()).toBe('aws ecr get-login-password --region REGION');
    expect(await help('password').innerText()).toContain('It is valid for 12 hours');
    await field('Server').fill(ECR);
    expect(await help('password').locator('code').innerText()).toBe('aws ecr get-login-password --region eu-west-1');
    await screenshot(page, 'registries-ecr');
  });

  it('refuses a malformed ECR server with the shape it expects, and follows the typing once it fits', async () => {
    await field('Server').fill('12345.dkr.ecr.eu-west-1.amazonaws.com');
    await field('Password').fill('not-a-real-token');
    await button('Sign in').click();
    await refusedBeside('server', 'Expected an Amazon ECR registry: ACCOUNT.dkr.ecr.REGION.amazonaws.com with your 12-digit AWS account ID');
    // A host of no cloud is no ECR registry either, while ECR is chosen.
    await field('Server').fill('registry.example.com');
    await refusedBeside('server', 'Expected an Amazon ECR registry');
    await field('Server').fill(ECR);
    await page.locator('#registry-server-problem').waitFor({ state: 'detached', timeout: 5000 });
    expect(await radio('Amazon ECR').isChecked()).toBe(true);
  });

  it('accepts a well-formed ECR server up to the sign-in itself', async () => {
    await button('Sign in').click();
    await sentUpToTheEngine(ECR);
    expect(helperCalls()).toBe('');
  });

  it('Azure ACR: a token goes with the zero GUID, the admin user with the registry name, each with its command', async () => {
    await radio('Azure ACR').check();
    expect(await field('Server').inputValue()).toBe('');
    expect(await field('Server').getAttribute('placeholder')).toBe('myregistry.azurecr.io');
    expect(await radio('A token from the Azure CLI').isChecked()).toBe(true);
    expect(await field('Username').inputValue()).toBe('00000000-0000-0000-0000-000000000000');
    expect(await help('server').innerText()).toContain('azurecr.cn in Azure China, azurecr.us in Azure Government');
    await field('Server').fill(ACR);
    expect(await help('password').locator('code').innerText()).toBe('az acr login --name contoso --expose-token');
    expect(await help('password').innerText()).toContain('It is valid for 3 hours');

    await radio("The registry's admin user").check();
    expect(await field('Username').inputValue()).toBe('contoso');
    expect(await help('username').innerText()).toBe("The registry's name: contoso, as in contoso.azurecr.io.");
    expect(await help('password').locator('code').innerText()).toBe('az acr credential show --name contoso');
    // The name follows the server while the user has not typed a username of their own.
    await field('Server').fill('fabrikam.azurecr.us');
    expect(await field('Username').inputValue()).toBe('fabrikam');
    await screenshot(page, 'registries-acr');
  });

  it('refuses a malformed ACR server with the shape it expects, and accepts a well-formed one up to the sign-in', async () => {
    await field('Server').fill('abcd.azurecr.io');
    await field('Password').fill('not-a-real-password');
    await button('Sign in').click();
    await refusedBeside('server', 'Expected an Azure registry: NAME.azurecr.io');
    await field('Server').fill(ACR);
    await button('Sign in').click();
    await sentUpToTheEngine(ACR);
  });

  it('goes back to an empty username for Docker Hub, where nothing fills it in', async () => {
    await radio('Docker Hub').check();
    expect(await field('Server').inputValue()).toBe('https://index.docker.io/v1/');
    expect(await field('Username').inputValue()).toBe('');
    expect(await page.getByRole('group', { name: 'Sign in with' }).count()).toBe(0);
  });

  it('offers docker-credential-ecr-login, found on PATH, which writes credHelpers for the registry and asks for no password', async () => {
    await radio('Amazon ECR').check();
    await radio(ECR_LOGIN_CHOICE).check();
    expect(await field('Username').count()).toBe(0);
    expect(await field('Password').count()).toBe(0);
    const about = page.getByTestId('sign-in-way-about');
    expect(await about.innerText()).toContain('It signs in by itself');
    await field('Server').fill('12345.dkr.ecr.eu-west-1.amazonaws.com');
    await button('Use docker-credential-ecr-login').click();
    await refusedBeside('server', 'Expected an Amazon ECR registry');
    expect(config().credHelpers).toBeUndefined();

    await field('Server').fill(ECR);
    expect(await about.innerText()).toContain(`"credHelpers": { "${ECR}": "ecr-login" }`);
    await button('Use docker-credential-ecr-login').click();
    await page.getByRole('status').filter({ hasText: `Amazon ECR (${ECR}) now signs in through docker-credential-ecr-login` }).waitFor({ timeout: 10_000 });
    expect(config().credHelpers).toEqual({ [ECR]: 'ecr-login' });
    const row = page.getByRole('row').filter({ hasText: ECR });
    expect(await row.innerText()).toContain('signs in by itself through docker-credential-ecr-login');
    await screenshot(page, 'registries-ecr-login');
    expect(helperCalls()).toBe('');
  });

  it('signs out of it by naming it no more, without running it', async () => {
    await page.getByRole('row').filter({ hasText: ECR }).getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: ECR }).count(), { timeout: 10_000 }).toBe(0);
    expect(config().credHelpers).toBeUndefined();
    expect(helperCalls()).toBe('');
  });

  it('offers only the token where docker-credential-ecr-login is not installed, and says what installing it would do', async () => {
    rmSync(join(bin, 'docker-credential-ecr-login'));
    await page.reload();
    await button('Sign in').waitFor({ timeout: 20_000 });
    await radio('Amazon ECR').check();
    // Each choice of ECR asks the backend again, which now finds no helper on PATH.
    const about = page.getByTestId('sign-in-way-about');
    await about.filter({ hasText: "docker-credential-ecr-login is not on this computer's PATH" }).waitFor({ timeout: 5000 });
    expect(await radio(ECR_LOGIN_CHOICE).count()).toBe(0);
    expect(await radio('A token from the AWS CLI').count()).toBe(0);
    expect(await field('Username').inputValue()).toBe('AWS');
    expect(helperCalls()).toBe('');
  });
});
