import type { WireError } from '../main/api/errors';

/** IPC channel names shared by the Electron shell and the preload; the contract's channels travel inside them. */
export const CALL = 'berth:call';
export const EVENT = 'berth:event';

/** Replies cross IPC as values, not thrown errors: Electron would keep only an error's message. */
export type IpcReply = { result: unknown } | { error: WireError };

/** What the preload puts on `window.berth`; the renderer's bridge gives it the contract's types. */
export interface BerthApi {
  invoke(channel: string, request: unknown): Promise<unknown>;
  on(channel: string, listener: (payload: unknown) => void): () => void;
}
