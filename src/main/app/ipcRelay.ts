import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { StreamHandle } from '../api/client';
import type { StreamName } from '../api/contract';
import { toWire } from '../api/errors';
import type { DaemonLink } from '../daemon/link';
import type { Admit } from '../window/admit';

/** The IPC names one kind of page uses to carry the contract. */
export interface IpcNames {
  call: string;
  open: string;
  input?: string;
  cancel: string;
  chunk: string;
  end: string;
}

type Sender = IpcMainEvent | IpcMainInvokeEvent;

/** Replies cross IPC as values, not thrown errors: Electron would keep only an error's message. */
const forbidden = { error: { name: 'Forbidden', message: 'This page may not call the daemon.', hint: 'Reload the window.' } };

/**
 * Carries a kind of page's calls and streams to the daemon. `admitFor` decides, from the sender alone, what that
 * page may ask (null: nothing); `answerHere` may answer a call in the shell itself (a native dialog, say).
 * A page that navigates, reloads or closes cancels the streams it left open.
 */
export function relayIpc(
  link: DaemonLink,
  names: IpcNames,
  admitFor: (event: Sender) => Admit | null,
  answerHere: (channel: string, request: unknown, event: IpcMainInvokeEvent) => Promise<unknown> | null = () => null,
): void {
  ipcMain.handle(names.call, async (event, channel: unknown, request: unknown) => {
    const admit = admitFor(event);
    if (!admit) return forbidden;
    try {
      const admitted = admit(channel, request);
      return { result: await (answerHere(String(channel), admitted, event) ?? link.forward(channel, admitted)) };
    } catch (error) {
      return { error: toWire(error) };
    }
  });

  const byPage = new Map<WebContents, Map<number, StreamHandle<StreamName>>>();
  const streamsOf = (contents: WebContents): Map<number, StreamHandle<StreamName>> => {
    let streams = byPage.get(contents);
    if (!streams) {
      const open = new Map<number, StreamHandle<StreamName>>();
      const cancelAll = (): void => {
        for (const handle of open.values()) handle.cancel();
        open.clear();
      };
      contents.on('did-start-navigation', (details) => details.isMainFrame && !details.isSameDocument && cancelAll());
      contents.once('destroyed', () => {
        cancelAll();
        byPage.delete(contents);
      });
      byPage.set(contents, open);
      streams = open;
    }
    return streams;
  };
  ipcMain.on(names.open, (event, id: unknown, channel: unknown, request: unknown) => {
    const admit = admitFor(event);
    if (!admit || typeof id !== 'number') return;
    const contents = event.sender;
    const streams = streamsOf(contents);
    if (streams.has(id)) return;
    let admitted: unknown;
    try {
      admitted = admit(channel, request);
    } catch (error) {
      contents.send(names.end, id, toWire(error));
      return;
    }
    streams.set(
      id,
      link.stream(channel, admitted, {
        chunk: (payload) => !contents.isDestroyed() && contents.send(names.chunk, id, payload),
        end: (error) => {
          streams.delete(id);
          if (!contents.isDestroyed()) contents.send(names.end, id, error ? toWire(error) : null);
        },
      }),
    );
  });
  if (names.input) {
    ipcMain.on(names.input, (event, id: unknown, input: unknown) => {
      if (admitFor(event) && typeof id === 'number') byPage.get(event.sender)?.get(id)?.write(input as never);
    });
  }
  ipcMain.on(names.cancel, (event, id: unknown) => {
    if (!admitFor(event) || typeof id !== 'number') return;
    const streams = byPage.get(event.sender);
    streams?.get(id)?.cancel();
    streams?.delete(id);
  });
}
