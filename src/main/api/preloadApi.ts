import type { WireError } from './errors';

/** What the preload puts on `window.berth`; the renderer's bridge gives it the contract's types. */
export interface BerthApi {
  invoke(channel: string, request: unknown): Promise<unknown>;
  on(channel: string, listener: (payload: unknown) => void): () => void;
  stream(channel: string, request: unknown, chunk: (payload: unknown) => void, end: (error: WireError | null) => void): { write(input: unknown): void; cancel(): void };
  showExtension(key: string, bounds: { x: number; y: number; width: number; height: number } | null): void;
}
