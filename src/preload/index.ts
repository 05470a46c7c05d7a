import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL, EVENT, type BerthApi, type IpcReply } from './ipc';

// One IPC listener fans out to the page's listeners, so subscribing never piles up IPC handlers.
const listeners = new Map<string, Set<(payload: unknown) => void>>();
ipcRenderer.on(EVENT, (_event: IpcRendererEvent, channel: string, payload: unknown) => {
  for (const listener of listeners.get(channel) ?? []) listener(payload);
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
};

contextBridge.exposeInMainWorld('berth', api);
