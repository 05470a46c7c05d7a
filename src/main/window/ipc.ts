import type { WireError } from '../api/errors';

/** IPC channel names shared by the Electron shell and the preload; the contract's channels travel inside them. */
export const CALL = 'berth:call';
export const EVENT = 'berth:event';
/** A stream: the page opens, writes and cancels by its own id; the shell answers with chunks and one end. */
export const OPEN = 'berth:open';
export const INPUT = 'berth:input';
export const CANCEL = 'berth:cancel';
export const CHUNK = 'berth:chunk';
export const END = 'berth:end';
/** The shell shows one of the window's views (a hash route such as #/settings), from the tray. */
export const NAVIGATE = 'berth:navigate';
/** A route NAVIGATE may carry: the hash of one of the window's own views, nothing else. */
export const isViewRoute = (route: unknown): route is string => typeof route === 'string' && /^#\/[a-z-]*$/.test(route);
/** Places an extension's view over the window, or takes it away. */
export const EXTENSION_VIEW = 'berth:extension-view';

/** Replies cross IPC as values, not thrown errors: Electron would keep only an error's message. */
export type IpcReply = { result: unknown } | { error: WireError };
