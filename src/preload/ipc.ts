import type { WireError } from '../main/api/errors';

/** IPC channel names shared by the Electron shell and the preload; the contract's channels travel inside them. */
export const CALL = 'berth:call';
export const EVENT = 'berth:event';
/** A stream: the page opens, writes and cancels by its own id; the shell answers with chunks and one end. */
export const OPEN = 'berth:open';
export const INPUT = 'berth:input';
export const CANCEL = 'berth:cancel';
export const CHUNK = 'berth:chunk';
export const END = 'berth:end';
/** Places an extension's view over the window, or takes it away. */
export const EXTENSION_VIEW = 'berth:extension-view';

/** Replies cross IPC as values, not thrown errors: Electron would keep only an error's message. */
export type IpcReply = { result: unknown } | { error: WireError };

/** What the preload puts on `window.berth`; the renderer's bridge gives it the contract's types. */
export interface BerthApi {
  invoke(channel: string, request: unknown): Promise<unknown>;
  on(channel: string, listener: (payload: unknown) => void): () => void;
  stream(channel: string, request: unknown, chunk: (payload: unknown) => void, end: (error: WireError | null) => void): { write(input: unknown): void; cancel(): void };
  showExtension(key: string, bounds: { x: number; y: number; width: number; height: number } | null): void;
}
