/**
 * The preload of an extension's view: a sandboxed script (it may require only `electron`) that puts Docker
 * Desktop's `window.ddClient` and MUI themes on the page before the page's own scripts run. Everything it
 * sends goes to the shell over the IPC names of src/main/window/extensionIpc.ts, and the shell lets only
 * `ddClient.*` channels through.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createDdClient } from '../extension-client/client';
import { muiThemes, putThemesInPage } from '../extension-client/muiThemes';
import type { ExtensionContext, Transport, WireError } from '../extension-client/types';
import { EXT_CALL, EXT_CANCEL, EXT_CHUNK, EXT_CONTEXT, EXT_END, EXT_OPEN } from '../main/window/extensionIpc';
import type { IpcReply } from '../main/window/ipc';

const streams = new Map<number, { chunk: (payload: unknown) => void; end: (error: WireError | null) => void }>();
let nextStream = 1;
ipcRenderer.on(EXT_CHUNK, (_event: IpcRendererEvent, id: number, payload: unknown) => streams.get(id)?.chunk(payload));
ipcRenderer.on(EXT_END, (_event: IpcRendererEvent, id: number, error: WireError | null) => {
  const stream = streams.get(id);
  streams.delete(id);
  stream?.end(error);
});

const cancel = (id: number) => {
  if (streams.delete(id)) ipcRenderer.send(EXT_CANCEL, id);
};
// A page that goes away leaves no command running behind it.
addEventListener('pagehide', () => {
  for (const id of [...streams.keys()]) cancel(id);
});

const transport: Transport = {
  async invoke(channel, request) {
    const reply = (await ipcRenderer.invoke(EXT_CALL, channel, request)) as IpcReply;
    if ('result' in reply) return reply.result;
    const { name, message, hint } = reply.error;
    throw { name, message, hint };
  },
  stream(channel, request, onChunk, onEnd) {
    const id = nextStream++;
    streams.set(id, { chunk: onChunk, end: onEnd });
    ipcRenderer.send(EXT_OPEN, id, channel, request);
    return { cancel: () => cancel(id) };
  },
};

const context = (ipcRenderer.sendSync(EXT_CONTEXT) ?? {}) as Partial<ExtensionContext>;
const client = createDdClient(transport, {
  image: String(context.image ?? ''),
  platform: String(context.platform ?? ''),
  arch: String(context.arch ?? ''),
  hostname: String(context.hostname ?? ''),
});

contextBridge.exposeInMainWorld('ddClient', client);
// The page's own world gets plain, writable copies: what exposeInMainWorld hands over is frozen, and MUI and
// some extensions write to their theme options.
contextBridge.executeInMainWorld({ func: putThemesInPage, args: [JSON.stringify(muiThemes)] });
