import type { MessageBoxOptions } from 'electron';
import type { EngineState } from '../api/engine';
import { toWire } from '../api/errors';
import type { Settings } from '../api/settings';
import type { Link } from '../daemon/link';

/** What quitting does to the engine, or 'cancel' when the user chose not to quit after all. */
export type QuitChoice = 'stop' | 'keep' | 'cancel';

export interface QuitDialog {
  showMessageBox(options: MessageBoxOptions): Promise<{ response: number; checkboxChecked: boolean }>;
  showErrorBox(title: string, content: string): void;
}

export type QuitLink = Pick<Link, 'invoke' | 'stream'>;

const STOP = 0;
const KEEP = 1;
const CANCEL = 2;

export const QUIT_QUESTION: MessageBoxOptions = {
  type: 'question',
  title: 'Quit Berth',
  message: 'Stop the engine as Berth quits?',
  detail:
    'Stopping it stops its containers. Left running, they go on, and the docker command keeps working without Berth. ' +
    'A remembered answer can be changed in Settings, General.',
  buttons: ['Stop the engine', 'Leave it running', 'Cancel'],
  defaultId: STOP,
  cancelId: CANCEL,
  checkboxLabel: 'Remember my answer',
  checkboxChecked: false,
  noLink: true,
};

/** An error in words for a message box: what went wrong, then what to do. */
export const inWords = (error: unknown): string => {
  const { message, hint } = toWire(error);
  return `${message}\n\n${hint}`;
};

/** Saves `settings` with the quit answer in place: all of them, as settings.apply takes them; a general.* change restarts nothing. */
function rememberAnswer(link: QuitLink, settings: Settings, quit: 'stop' | 'keep'): Promise<void> {
  return new Promise((resolve, reject) => {
    link.stream('settings.apply', { settings: { ...settings, general: { ...settings.general, quit } } }, {
      chunk: () => undefined,
      end: (error) => (error ? reject(error) : resolve()),
    });
  });
}

/**
 * Decides what quitting does to an engine in `state`: nothing to decide when it is stopped, or unknown because the
 * daemon did not answer (asking again would start a daemon just to quit); a stop when the engine cannot outlive the
 * app (`endsWithApp`); the remembered answer (general.quit) when there is one; otherwise the user's answer, saved when
 * they ask for it to be remembered. An answer that could not be saved is still followed, and the user is told.
 */
export async function decideQuit(state: EngineState | null, link: QuitLink, dialog: QuitDialog, endsWithApp = false): Promise<QuitChoice> {
  if (state === null || state === 'stopped') return 'keep';
  if (endsWithApp) return 'stop';
  const current = await link.invoke('settings.get', {}).catch(() => null);
  if (!current) return 'keep';
  const { settings } = current;
  if (settings.general.quit !== 'ask') return settings.general.quit;
  const { response, checkboxChecked } = await dialog.showMessageBox(QUIT_QUESTION);
  if (response !== STOP && response !== KEEP) return 'cancel';
  const choice = response === STOP ? 'stop' : 'keep';
  if (checkboxChecked) {
    await rememberAnswer(link, settings, choice).catch((error: unknown) =>
      dialog.showErrorBox('Berth could not remember your answer', `${inWords(error)}\n\nIt asks again next time; the answer can be set in Settings, General.`),
    );
  }
  return choice;
}
