import { isExtensionChannel } from '../api/ddClient';
import { BerthError } from '../api/errors';

/**
 * What a page may ask: the request to pass on for `channel`, or an error to answer with. The window may
 * ask anything; an extension's page only its own ddClient channels.
 */
export type Admit = (channel: unknown, request: unknown) => unknown;

export const admitAll: Admit = (_channel, request) => request;

/** An extension's page reaches only ddClient channels, and always as itself: the key it sends is replaced. */
export function admitExtension(key: string): Admit {
  return (channel, request) => {
    if (typeof channel !== 'string' || !isExtensionChannel(channel)) {
      throw new BerthError('Forbidden', `An extension may not use ${String(channel)}.`, 'Extensions reach Berth only through window.ddClient.');
    }
    return { ...(typeof request === 'object' && request !== null ? request : {}), key };
  };
}
