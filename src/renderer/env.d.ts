import type { BerthApi } from '../main/api/preloadApi';

declare global {
  interface Window {
    /** Present in the Electron window only, put there by the preload. */
    berth?: BerthApi;
  }
}
