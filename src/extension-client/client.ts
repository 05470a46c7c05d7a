import type { NavigateRequest } from '../main/api/ddClient';
import { makeExec, plainError } from './exec';
import { makeHttpService } from './service';
import type { DdClient, DdClientV1, ExtensionContext, OpenDialogResult, Transport } from './types';
import { v0Aliases } from './v0';

/** The longest toast the contract takes: a longer message is cut rather than dropped. */
const TOAST_LIMIT = 4096;

/** Freezes the client all the way down, so one script on the page cannot rewire it for another. */
function deepFreeze<T>(value: T): T {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
    if (Object.isFrozen(value)) return value;
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value as object)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

/** The URL `openExternal` may open, or a TypeError: only http and https leave for the user's browser. */
function webUrl(url: unknown): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new TypeError(`openExternal needs an absolute http or https URL; "${String(url)}" is not one.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`openExternal opens only http and https URLs, not ${parsed.protocol} ones.`);
  }
  return parsed.href;
}

function listOptions(options: unknown): object {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError('The list options must be an object.');
  return { options: { ...options } };
}

/**
 * `window.ddClient` for one extension's page: Docker Desktop's v1 API with the deprecated v0 names beside it,
 * each call carried by `transport`. Every rejection is a plain object, since contextBridge keeps only an Error's message.
 */
export function createDdClient(transport: Transport, context: ExtensionContext): DdClient {
  const call = async (channel: string, request: object): Promise<unknown> => {
    try {
      return await transport.invoke(channel, request);
    } catch (error) {
      throw plainError(error);
    }
  };
  // Toasts and links return nothing to the page, so their failures can only be reported here.
  const fireAndForget = (what: string, request: Promise<unknown>) => {
    request.catch((error: unknown) => console.warn(`ddClient: ${what} failed:`, error));
  };
  const toast = (level: 'success' | 'warning' | 'error') => (msg: string) =>
    fireAndForget('toast', call('ddClient.toast', { level, message: String(msg).slice(0, TOAST_LIMIT) }));
  const navigate = async (to: NavigateRequest['to'], id?: string, tag?: string): Promise<void> => {
    await call('ddClient.navigate', { to, ...(id !== undefined ? { id: String(id) } : {}), ...(tag !== undefined ? { tag: String(tag) } : {}) });
  };
  const list = (channel: string) => (options?: Record<string, unknown>) => call(channel, listOptions(options));

  const v1: DdClientV1 = {
    docker: {
      cli: { exec: makeExec(transport, 'docker') },
      listContainers: list('ddClient.listContainers'),
      listImages: list('ddClient.listImages'),
    },
    extension: {
      vm: { cli: { exec: makeExec(transport, 'vm') }, service: makeHttpService(transport) },
      host: { cli: { exec: makeExec(transport, 'host') } },
      image: context.image,
    },
    desktopUI: {
      toast: { success: toast('success'), warning: toast('warning'), error: toast('error') },
      dialog: {
        async showOpenDialog(props) {
          const properties = Array.isArray(props?.properties) ? props.properties : [];
          const reply = (await call('ddClient.showOpenDialog', {
            directory: properties.includes('openDirectory'),
            multiple: properties.includes('multiSelections'),
          })) as OpenDialogResult;
          return { canceled: reply.canceled, filePaths: [...reply.filePaths] };
        },
      },
      navigate: {
        viewContainers: () => navigate('containers'),
        viewContainer: (id) => navigate('container', id),
        viewContainerLogs: (id) => navigate('containerLogs', id),
        viewContainerInspect: (id) => navigate('containerInspect', id),
        viewContainerTerminal: (id) => navigate('containerTerminal', id),
        viewContainerStats: (id) => navigate('containerStats', id),
        viewImages: () => navigate('images'),
        viewImage: (id, tag) => navigate('image', id, tag),
        viewVolumes: () => navigate('volumes'),
        viewVolume: (name) => navigate('volume', name),
      },
    },
    host: {
      openExternal: (url) => fireAndForget('openExternal', call('ddClient.openExternal', { url: webUrl(url) })),
      platform: context.platform,
      arch: context.arch,
      hostname: context.hostname,
    },
  };
  return deepFreeze({ ...v1, ...v0Aliases(v1) });
}
