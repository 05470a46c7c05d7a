import { describe, expect, it } from 'vitest';
import type { Extension, TrustQuestion } from '../api/extensions';
import { composeAsks, permissionsOf, TrustQuestions } from './trust';

const extension = (vm: Extension['vm'], hostBinaries: string[] = []): Extension => ({ title: 'Tool', vm, hostBinaries }) as Extension;

describe('what an extension may do', () => {
  it('always runs docker commands; a backend and host programs when it has them', () => {
    expect(permissionsOf(extension(null), null).map((permission) => permission.kind)).toEqual(['docker']);
    expect(permissionsOf(extension({ kind: 'image', socket: 's.sock' }, ['kubectl', 'helm']), null)).toEqual([
      { kind: 'docker', text: expect.stringMatching(/^Runs docker commands on your engine/) },
      { kind: 'backend', text: "Runs a backend service in Berth's VM." },
      { kind: 'host', text: 'Runs programs it ships on this computer, as you: kubectl, helm.' },
    ]);
  });

  it("says what a compose file asks of the VM", () => {
    const text = [
      'services:',
      '  api:',
      '    image: x',
      '    privileged: true',
      '    ports: ["8080:80"]',
      '    cap_add: [NET_ADMIN]',
      '    volumes: ["/var/run/docker.sock.raw:/var/run/docker.sock", "/etc:/host-etc:ro", "data:/data"]',
      '  side:',
      '    image: y',
      '    network_mode: host',
      '',
    ].join('\n');
    expect(composeAsks(text)).toEqual([
      'privileged containers: full control of the VM',
      'extra capabilities (NET_ADMIN)',
      'published ports (8080:80)',
      "the engine's socket: it can start any container, with any mount, in the VM",
      "the VM's folder /etc",
      "the VM's network",
    ]);
    expect(permissionsOf(extension({ kind: 'compose', socket: null }), 'services:\n  a:\n    image: x\n    pid: host\n')[1].text).toBe("Runs a backend service in Berth's VM, with the VM's processes.");
    expect(composeAsks('not: [valid')).toEqual([]);
  });
});

describe('trust questions', () => {
  const question = { title: 'Tool', image: 'acme/tool:1', permissions: [] };

  it('goes on once accepted, and refuses once declined', async () => {
    const questions = new TrustQuestions();
    const shown: TrustQuestion[] = [];
    const accepted = questions.ask(question, new AbortController().signal, (asked) => shown.push(asked));
    questions.answer(shown[0].id, true);
    await expect(accepted).resolves.toBeUndefined();
    const declined = questions.ask(question, new AbortController().signal, (asked) => shown.push(asked));
    questions.answer(shown[1].id, false);
    await expect(declined).rejects.toMatchObject({ name: 'ExtensionDeclined', message: 'Tool was not installed: what it may do was not accepted.' });
    expect(() => questions.answer(shown[1].id, true)).toThrow('no longer waiting');
  });

  it('ends when the install is cancelled', async () => {
    const questions = new TrustQuestions();
    const cancel = new AbortController();
    const asked = questions.ask(question, cancel.signal, () => undefined);
    cancel.abort();
    await expect(asked).rejects.toMatchObject({ name: 'ExtensionDeclined' });
  });
});
