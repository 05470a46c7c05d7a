import { reactive } from 'vue';
import { ContractClient, type StreamHandle, type StreamListener } from '../main/api/client';
import type { CallName, EventName, Frame, OpenOf, PayloadOf, ReplyOf, RequestOf, StreamName } from '../main/api/contract';
import { BerthError, type WireError } from '../main/api/errors';

/**
 * The window's one way to the backend: Electron's preload when there is one, else a WebSocket to the
 * page's own origin (browser mode). Both carry the same contract, so views cannot tell them apart.
 */
export type LinkState = 'connecting' | 'open' | 'lost';
export const link = reactive({ state: 'connecting' as LinkState, error: null as WireError | null });

const TOKEN_KEY = 'berth.token';
const openHooks = new Set<() => void>();

/** Runs `hook` whenever the carrier (re)connects: a store loads its state there and follows events after. */
export function onOpen(hook: () => void): void {
  openHooks.add(hook);
  if (link.state === 'open') hook();
}

function opened(): void {
  link.state = 'open';
  link.error = null;
  for (const hook of openHooks) hook();
}

/** The token comes once in the URL; it moves to this tab's storage so a reload works and the address bar stays clean. */
function takeToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function connectSocket(): ContractClient {
  const token = takeToken();
  const address = `ws://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  let socket: WebSocket | null = null;
  let queue: string[] = [];
  let retryMs = 250;
  const socketClient = new ContractClient((frame) => {
    const text = JSON.stringify(frame);
    if (socket?.readyState === WebSocket.OPEN) socket.send(text);
    else queue.push(text);
  });
  const dial = (): void => {
    let wasOpen = false;
    const ws = new WebSocket(address);
    socket = ws;
    ws.onopen = () => {
      wasOpen = true;
      retryMs = 250;
      for (const text of queue) ws.send(text);
      queue = [];
      opened();
    };
    ws.onmessage = (message) => socketClient.receive(JSON.parse(String(message.data)) as Frame);
    ws.onclose = () => {
      queue = [];
      const error = new BerthError(
        'BridgeClosed',
        wasOpen ? 'Lost the connection to the Berth backend.' : 'Cannot connect to the Berth backend.',
        'Check that `berth serve` is still running and open the URL it printed; this page keeps retrying.',
      );
      socketClient.fail(error);
      // A drop from an open socket is usually the backend restarting: say so only if the retry fails too.
      link.state = wasOpen ? 'connecting' : 'lost';
      link.error = { name: error.name, message: error.message, hint: error.hint };
      setTimeout(dial, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
  };
  dial();
  return socketClient;
}

type Carrier = Pick<ContractClient, 'invoke' | 'on' | 'stream'>;

const fromWire = (wire: WireError): BerthError => BerthError.fromWire({ name: String(wire?.name), message: String(wire?.message), hint: String(wire?.hint ?? '') });

function connectPreload(api: NonNullable<Window['berth']>): Carrier {
  queueMicrotask(opened);
  return {
    invoke: (channel, request) =>
      api.invoke(channel, request).catch((wire: WireError) => {
        throw fromWire(wire);
      }) as never,
    on: (channel, listener) => api.on(channel, listener as (payload: unknown) => void),
    stream: (channel, request, listener) =>
      api.stream(
        channel,
        request,
        (payload) => listener.chunk(payload as never),
        (error) => listener.end(error ? fromWire(error) : null),
      ),
  };
}

let carrier: Carrier | null = null;

/** Connects once, before the app mounts, so the token leaves the URL before the router reads it. */
export function startBridge(): void {
  carrier ??= window.berth ? connectPreload(window.berth) : connectSocket();
}

export function invoke<C extends CallName>(channel: C, request: RequestOf<C>): Promise<ReplyOf<C>> {
  startBridge();
  return carrier!.invoke(channel, request);
}

export function on<E extends EventName>(channel: E, listener: (payload: PayloadOf<E>) => void): () => void {
  startBridge();
  return carrier!.on(channel, listener);
}

/** Opens a stream; the caller cancels it when the view that shows it goes away. */
export function stream<S extends StreamName>(channel: S, request: OpenOf<S>, listener: StreamListener<S>): StreamHandle<S> {
  startBridge();
  return carrier!.stream(channel, request, listener);
}

/** How this window shows an extension's UI: a sandboxed frame (browser mode) or an Electron view the shell places. */
export function extensionSurface(): 'frame' | 'view' {
  return window.berth ? 'view' : 'frame';
}

/** The address of an extension's entry page on its own origin, for the frame; the server behind this page knows it. */
export async function extensionFrameUrl(key: string): Promise<string> {
  const response = await fetch(`/extension-frame?key=${encodeURIComponent(key)}`, { credentials: 'same-origin' });
  const answer = (await response.json().catch(() => null)) as { url?: string; error?: WireError } | null;
  if (response.ok && typeof answer?.url === 'string') return answer.url;
  throw answer?.error ? fromWire(answer.error) : new BerthError('ExtensionUnavailable', `The extension's page could not be found (HTTP ${response.status}).`, 'Reload the window.');
}

export type ViewBounds = { x: number; y: number; width: number; height: number };

/** Puts the extension's view over `bounds` (CSS pixels of this window), or takes it away with null. */
export function placeExtensionView(key: string, bounds: ViewBounds | null): void {
  window.berth?.showExtension(key, bounds);
}
