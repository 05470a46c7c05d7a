import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { WireError } from '../main/api/errors';
import type { BerthApi } from '../main/api/preloadApi';
import { CALL, CANCEL, CHUNK, END, EVENT, EXTENSION_VIEW, INPUT, isViewRoute, NAVIGATE, OPEN, type IpcReply } from '../main/window/ipc';

// One IPC listener fans out to the page's listeners, so subscribing never piles up IPC handlers.
const listeners = new Map<string, Set<(payload: unknown) => void>>();
ipcRenderer.on(EVENT, (_event: IpcRendererEvent, channel: string, payload: unknown) => {
  for (const listener of listeners.get(channel) ?? []) listener(payload);
});

// The tray opens a view (Settings, Troubleshoot) in a window already open: the page's hash router follows the hash.
ipcRenderer.on(NAVIGATE, (_event: IpcRendererEvent, route: unknown) => {
  if (isViewRoute(route)) location.hash = route;
});

const streams = new Map<number, { chunk: (payload: unknown) => void; end: (error: WireError | null) => void }>();
let nextStream = 1;
ipcRenderer.on(CHUNK, (_event: IpcRendererEvent, id: number, payload: unknown) => streams.get(id)?.chunk(payload));
ipcRenderer.on(END, (_event: IpcRendererEvent, id: number, error: WireError | null) => {
  const stream = streams.get(id);
  streams.delete(id);
  stream?.end(error);
});

const api: BerthApi = {
  async invoke(channel, request) {
    const reply = (await ipcRenderer.invoke(CALL, String(channel), request)) as IpcReply;
    if ('result' in reply) return reply.result;
    // A plain object, not an Error: contextBridge copies only an Error's message into the page.
    const { name, message, hint } = reply.error;
    throw { name, message, hint };
  },
  on(channel, listener) {
    const set = listeners.get(channel) ?? new Set();
    set.add(listener);
    listeners.set(channel, set);
    return () => {
      set.delete(listener);
    };
  },
  stream(channel, request, chunk, end) {
    const id = nextStream++;
    streams.set(id, { chunk, end });
    ipcRenderer.send(OPEN, id, String(channel), request);
    return {
      write: (input) => streams.has(id) && ipcRenderer.send(INPUT, id, input),
      cancel: () => streams.delete(id) && ipcRenderer.send(CANCEL, id),
    };
  },
  showExtension(key, bounds) {
    ipcRenderer.send(EXTENSION_VIEW, String(key), bounds);
  },
};

contextBridge.exposeInMainWorld('berth', api);
