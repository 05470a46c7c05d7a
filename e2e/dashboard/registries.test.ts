import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, docker, importBusybox, newInstance, type Instance } from '../support/berth';
import { createCredentialRig, type CredentialRig } from '../support/credentials';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { startRegistry, type TlsRegistry } from '../support/registry';
import { inWindow } from '../support/window';

const PASSWORD = `Berth-e2e-${Date.now()}-pw`;
const BOB_PASSWORD = `Bob-e2e-${Date.now()}-pw`;

/** Files under `dir` that hold `needle`, leaving out the VM's data disk (a sparse file of many GiB). */
function filesHolding(dir: string, needle: string): string[] {
  const wanted = Buffer.from(needle);
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) found.push(...filesHolding(path, needle));
    else if (stat.isFile() && name !== 'data.img' && readFileSync(path).includes(wanted)) found.push(path);
  }
  return found;
}

describe(`registry logins, ${inWindow()}, with a TLS registry, htpasswd and the pass credential helper`, () => {
  let rig: CredentialRig;
  let registry: TlsRegistry;
  let instance: Instance;
  let dashboard: Dashboard | undefined;
  let page: Page;
  let server = '';
  let privateImage = '';

  const button = (name: string) => page.getByRole('button', { name, exact: true });
  const loginRow = (text: string) => page.getByRole('row').filter({ hasText: text });
  const cli = (args: string[]) => docker(instance, args, { timeoutMs: 120_000 });
  const signIn = async (username: string, password: string): Promise<void> => {
    await page.getByLabel('Server', { exact: true }).fill(server);
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await button('Sign in').click();
  };
  const configJson = () => readFileSync(join(rig.dockerConfig, 'config.json'), 'utf8');
  /** What config.json says of logins (Berth's start writes the file too, naming its CLI plugins). */
  const loginsInConfig = () => {
    const { auths, credsStore, credHelpers } = JSON.parse(configJson()) as Record<string, unknown>;
    return { auths, credsStore, credHelpers };
  };
  const noLogins = { auths: undefined, credsStore: undefined, credHelpers: undefined };
  /** What the pass helper holds: server -> username. */
  const helperList = () => JSON.parse(execFileSync('docker-credential-pass', ['list'], { env: rig.env, encoding: 'utf8' })) as Record<string, string>;

  beforeAll(async () => {
    rig = createCredentialRig();
    registry = (await startRegistry({ tls: true, users: { ana: PASSWORD, bob: BOB_PASSWORD } })) as TlsRegistry;
    server = registry.fromGuest;
    privateImage = `${server}/team/private:1`;
    // The daemon gets the rig's GPG home and password store: `pass` is the credential helper it finds.
    instance = newInstance({ GNUPGHOME: rig.env.GNUPGHOME, PASSWORD_STORE_DIR: rig.env.PASSWORD_STORE_DIR, DOCKER_CONFIG: rig.dockerConfig });
    const started = await berth(instance, ['start']);
    expect(started.code, started.stderr).toBe(0);
    const imported = await importBusybox(instance, privateImage);
    expect(imported.code, imported.stderr).toBe(0);
    dashboard = await openDashboard(instance, '#/registries', (opened) => opened.getByRole('button', { name: 'Sign in', exact: true }));
    page = dashboard.page;
  });

  afterAll(async () => {
    if (dashboard?.errors.length) console.log(`page errors:\n${dashboard.errors.join('\n')}`);
    await dashboard?.close();
    if (instance) {
      await berth(instance, ['stop']);
    }
    await registry?.stop();
    rig?.cleanup();
  });

  it("refuses a registry whose CA the engine does not know, asking for the CA in Settings, and stores nothing", async () => {
    await signIn('ana', PASSWORD);
    await expect.poll(() => page.getByText("Add this registry's CA certificate in Settings", { exact: false }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(loginsInConfig()).toEqual(noLogins);
  });

  it('applies a CA certificate and an insecure registry from Registry settings, restarting the engine with progress', async () => {
    await button('Add a CA certificate').click();
    await page.getByLabel('Registry', { exact: true }).fill(server);
    await page.getByLabel('CA certificate', { exact: true }).fill(registry.caCert);
    // A new insecure registry changes daemon.json, which only a restart of the engine reads.
    await button('Add an insecure registry').click();
    await page.getByLabel('Insecure registry', { exact: true }).fill('registry.invalid:5000');
    await button('Apply').click();
    await page.getByText('Restart the engine').waitFor({ timeout: 20_000 });
    await page.getByText(/^Applied\./).waitFor({ timeout: 120_000 });
    const inGuest = await cli(['run', '--rm', '--privileged', '--pid=host', privateImage, 'nsenter', '-t', '1', '-m', 'cat', `/etc/docker/certs.d/${server}/ca.crt`]);
    expect(inGuest.stdout.trim()).toBe(registry.caCert.trim());
    const info = await cli(['info', '--format', '{{json .RegistryConfig.IndexConfigs}}']);
    expect(info.stdout).toContain('registry.invalid:5000');
  });

  it('says a wrong password is wrong and stores nothing', async () => {
    await signIn('ana', 'not-the-password');
    await page.getByText('refused the username or password', { exact: false }).waitFor({ timeout: 30_000 });
    expect(loginsInConfig()).toEqual(noLogins);
    expect(helperList()).toEqual({});
  });

  it('signs in: the row shows, the helper holds the password and config.json names only the helper', async () => {
    await signIn('ana', PASSWORD);
    await loginRow(server).filter({ hasText: 'ana' }).waitFor({ timeout: 30_000 });
    const config = JSON.parse(configJson()) as { credsStore?: string; auths?: Record<string, unknown> };
    expect(config.credsStore).toBe('pass');
    expect(config.auths?.[server]).toEqual({});
    expect(configJson()).not.toContain(PASSWORD);
  });

  it('pushes and pulls the private image from the window with the stored sign-in, with progress', async () => {
    await page.goto(`${dashboard!.served!.url}#/images`);
    const imageRow = page.getByRole('row', { name: privateImage, exact: true });
    await imageRow.getByRole('button', { name: 'Push', exact: true }).click();
    await page.getByRole('heading', { name: `Pushed ${privateImage}`, exact: true }).waitFor({ timeout: 60_000 });
    expect(await registry.tags('team/private')).toContain('1');
    const removed = await cli(['rmi', privateImage]);
    expect(removed.code, removed.stderr).toBe(0);
    await imageRow.waitFor({ state: 'detached', timeout: 5000 });
    await page.getByRole('textbox', { name: 'Image', exact: true }).fill(privateImage);
    await button('Pull').click();
    const total = page.getByRole('progressbar', { name: `Pull of ${privateImage}`, exact: true });
    await total.waitFor({ timeout: 10_000 });
    await page.getByRole('heading', { name: `Pulled ${privateImage}`, exact: true }).waitFor({ timeout: 60_000 });
    expect(await total.getAttribute('aria-valuenow')).toBe('100');
    await imageRow.waitFor({ timeout: 5000 });
  });

  it('signs in from the window: the docker CLI pulls with that login', async () => {
    await cli(['rmi', privateImage]);
    const pulled = await cli(['pull', privateImage]);
    expect(pulled.code, pulled.stderr).toBe(0);
  });

  it('signs out: the row goes, and a pull then fails with an auth error and a hint', async () => {
    await page.goto(`${dashboard!.served!.url}#/registries`);
    await loginRow(server).getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect.poll(() => loginRow(server).count(), { timeout: 15_000 }).toBe(0);
    expect(JSON.parse(configJson()).auths?.[server]).toBeUndefined();
    expect(helperList()).toEqual({});
    await cli(['rmi', privateImage]);
    await page.goto(`${dashboard!.served!.url}#/images`);
    await page.getByRole('textbox', { name: 'Image', exact: true }).fill(privateImage);
    await button('Pull').click();
    const alert = page.getByRole('alert').filter({ hasText: `refused to let the engine pull ${privateImage}` });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.innerText()).toContain(`Sign in to ${server} in Registries`);
    const fromCli = await cli(['pull', privateImage]);
    expect(fromCli.code).not.toBe(0);
    expect(fromCli.stderr).toMatch(/no basic auth credentials|unauthorized/);
  });

  it('shares the login with the docker CLI: the CLI pulls with it, and a `docker login` shows up in the window', async () => {
    await page.goto(`${dashboard!.served!.url}#/registries`);
    const login = await docker(instance, ['login', server, '--username', 'bob', '--password-stdin'], { input: Buffer.from(BOB_PASSWORD) });
    expect(login.code, login.stderr).toBe(0);
    await loginRow(server).filter({ hasText: 'bob' }).waitFor({ timeout: 15_000 });
    await cli(['rmi', privateImage]);
    const pulled = await cli(['pull', privateImage]);
    expect(pulled.code, pulled.stderr).toBe(0);
  });

  it('leaves the passwords nowhere on disk but in the helper’s encrypted store', () => {
    for (const secret of [PASSWORD, BOB_PASSWORD]) {
      expect(filesHolding(instance.home, secret)).toEqual([]);
      expect(filesHolding(rig.root, secret)).toEqual([]);
    }
  });
});
