/**
 * IPC channel names between an extension view's preload (src/preload/extension.ts) and the Electron shell. Only
 * the contract's `ddClient.*` channels travel inside them; the shell adds the extension's key from the sender's origin.
 */
/** invoke(channel, request) → IpcReply (./ipc) */
export const EXT_CALL = 'berth-ext:call';
/** send(id, channel, request): the page's stream ids are its own, per view. */
export const EXT_OPEN = 'berth-ext:open';
/** send(id): the page is done with a stream (an exec's close(): the shell ends the command with SIGTERM). */
export const EXT_CANCEL = 'berth-ext:cancel';
/** shell → page: (id, payload) */
export const EXT_CHUNK = 'berth-ext:chunk';
/** shell → page: (id, error | null), once per stream. */
export const EXT_END = 'berth-ext:end';
/** sendSync() → ExtensionContext: the preload needs it before the page's scripts run. */
export const EXT_CONTEXT = 'berth-ext:context';
