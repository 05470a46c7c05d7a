import type { BerthApi } from '../preload/ipc';

declare global {
  interface Window {
    /** Present in the Electron window only, put there by the preload. */
    berth?: BerthApi;
  }
}
