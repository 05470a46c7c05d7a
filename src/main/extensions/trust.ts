import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import { BerthError } from '../api/errors';
import type { Extension, Permission, TrustQuestion } from '../api/extensions';
import { isMapping } from './compose';

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map((item) => (isMapping(item) ? String(item.source ?? item.published ?? '') : String(item))) : []);

/** What a backend's compose file asks of the VM beyond a container of its own, in words. */
export function composeAsks(text: string): string[] {
  let document: unknown;
  try {
    document = parse(text, { merge: true, maxAliasCount: 1000 });
  } catch {
    return [];
  }
  const services = isMapping(document) && isMapping(document.services) ? Object.values(document.services).filter(isMapping) : [];
  const asks = new Set<string>();
  for (const service of services) {
    if (service.privileged === true) asks.add('privileged containers: full control of the VM');
    if (service.network_mode === 'host') asks.add("the VM's network");
    if (service.pid === 'host') asks.add("the VM's processes");
    const caps = list(service.cap_add);
    if (caps.length) asks.add(`extra capabilities (${caps.join(', ')})`);
    const ports = list(service.ports);
    if (ports.length) asks.add(`published ports (${ports.join(', ')})`);
    for (const volume of list(service.volumes)) {
      const source = volume.split(':')[0];
      if (source.includes('docker.sock')) asks.add("the engine's socket: it can start any container, with any mount, in the VM");
      else if (source.startsWith('/')) asks.add(`the VM's folder ${source}`);
    }
  }
  return [...asks];
}

/**
 * Everything the extension `record` may do once installed, for the trust decision. `compose` is its backend's
 * compose file as unpacked, when it has one.
 */
export function permissionsOf(record: Extension, compose: string | null): Permission[] {
  const permissions: Permission[] = [
    { kind: 'docker', text: 'Runs docker commands on your engine: it can list, start, stop and remove your containers, images and volumes.' },
  ];
  if (record.vm) {
    const asks = compose === null ? [] : composeAsks(compose);
    permissions.push({ kind: 'backend', text: `Runs a backend service in Berth's VM${asks.length ? `, with ${asks.join('; ')}` : ''}.` });
  }
  if (record.hostBinaries.length) {
    permissions.push({ kind: 'host', text: `Runs programs it ships on this computer, as you: ${record.hostBinaries.join(', ')}.` });
  }
  return permissions;
}

export type AskTrust = (question: Omit<TrustQuestion, 'id'>, signal: AbortSignal, show: (question: TrustQuestion) => void) => Promise<void>;

/** Trust questions waiting for the user's answer, by id. */
export class TrustQuestions {
  private readonly waiting = new Map<string, (accept: boolean) => void>();

  /** Shows the question through `show` and resolves once it is accepted; a decline or a cancel is an error. */
  readonly ask: AskTrust = (question, signal, show) => {
    const id = randomUUID();
    return new Promise<void>((resolve, reject) => {
      const settle = (accept: boolean): void => {
        this.waiting.delete(id);
        signal.removeEventListener('abort', cancel);
        if (accept) resolve();
        else reject(new BerthError('ExtensionDeclined', `${question.title} was not installed: what it may do was not accepted.`, 'Install it again, and accept, when you trust its publisher.'));
      };
      const cancel = (): void => settle(false);
      this.waiting.set(id, settle);
      signal.addEventListener('abort', cancel, { once: true });
      show({ id, ...question });
    });
  };

  answer(id: string, accept: boolean): void {
    const settle = this.waiting.get(id);
    if (!settle) throw new BerthError('NotFound', 'That install is no longer waiting for an answer.', 'It was answered already, or cancelled; start it again if you want it.');
    settle(accept);
  }
}
