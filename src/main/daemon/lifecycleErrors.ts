import type { EngineState } from '../api/engine';
import { BerthError } from '../api/errors';

/** What the lifecycle tells a caller it cannot serve now, or why the engine went down: each with what to do. */
export const lifecycleErrors = {
  alreadyStarting: (): BerthError =>
    new BerthError('AlreadyStarting', 'Berth is already starting the engine.', 'Wait for that start to finish; `berth status` shows its progress.'),
  stopping: (): BerthError => new BerthError('Stopping', 'Berth is stopping the engine.', 'Wait until it has stopped, then start it again.'),
  busy: (state: EngineState): BerthError =>
    new BerthError('EngineBusy', `The engine is ${state}; it cannot start from there.`, 'Wait for it to settle (`berth status`), then start it again.'),
  cancelled: (): BerthError => new BerthError('StartCancelled', 'The start was cancelled by a stop.', 'Start Berth again when you need it.'),
  notSuspendable: (state: EngineState): BerthError =>
    new BerthError('EngineNotRunning', `The engine is ${state}: only a running engine can be suspended.`, 'Start it first (`berth start`).'),
  notResponding: (consoleLog: string): BerthError =>
    new BerthError(
      'GuestNotResponding',
      'The VM has not answered Berth for 15 s: it may be overloaded, or hung.',
      `Wait for it, or restart the engine (\`berth restart\`, or Restart in the window). ${consoleLog} may say why.`,
    ),
  vmExited: (how: string, consoleLog: string): BerthError =>
    new BerthError('VmExited', `The VM stopped unexpectedly (QEMU ${how}).`, `Read ${consoleLog}, then start Berth again.`),
};
