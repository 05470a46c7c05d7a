import type { EngineState } from '../api/engine';

/** Where the engine may go from each state: any other move is a late event losing a race, and is not made. */
const TRANSITIONS: Record<EngineState, EngineState[]> = {
  stopped: ['starting', 'suspended'],
  error: ['starting', 'stopping', 'stopped'],
  starting: ['running', 'error', 'stopping'],
  running: ['stopping', 'error', 'not-responding', 'suspending'],
  'not-responding': ['running', 'stopping', 'error'],
  stopping: ['stopped', 'error'],
  suspending: ['suspended', 'running', 'error'],
  suspended: ['starting', 'stopped'],
};

export const canMove = (from: EngineState, to: EngineState): boolean => TRANSITIONS[from].includes(to);
