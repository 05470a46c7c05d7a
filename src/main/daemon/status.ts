import type { EngineState, EngineStatus, ForwardedPort, StartStep } from '../api/engine';
import type { WireError } from '../api/errors';
import { CONTEXT_NAME } from '../engine/context';
import type { HomePaths } from '../home';
import { dockerHost } from '../platform/endpoints';
import { effectiveNetwork, loadSettings } from '../settings/store';
import { readSuspended, suspendFiles, type SuspendedRecord } from '../vm/suspended';
import type { Started } from './startBase';

/** What the lifecycle knows of the engine, to be told as the contract's EngineStatus. */
export interface StatusParts {
  state: EngineState;
  started: Started | null;
  /** The machine of the start in progress or made, if any. */
  accelerator: string | null;
  suspended: SuspendedRecord | null;
  startMs: number | null;
  steps: StartStep[];
  error: WireError | null;
  versions: Record<string, string>;
  ports: ForwardedPort[];
}

export function engineStatus(paths: HomePaths, env: NodeJS.ProcessEnv, parts: StatusParts): EngineStatus {
  const { started, suspended } = parts;
  let network: EngineStatus['network'] = started?.network ?? suspended?.network ?? 'normal';
  if (!started && !suspended) {
    try {
      network = effectiveNetwork(loadSettings(paths.settings), env);
    } catch {
      // the start step reports a broken settings file
    }
  }
  return {
    state: parts.state,
    dockerHost: dockerHost(paths.dockerSocket),
    context: CONTEXT_NAME,
    accelerator: parts.accelerator ?? suspended?.accelerator ?? null,
    acceleratorReason: started?.acceleratorReason ?? null,
    network,
    startMs: parts.startMs,
    steps: parts.steps,
    error: parts.error,
    versions: parts.versions,
    logs: { daemon: paths.daemonLog, console: paths.consoleLog },
    ports: parts.ports,
    suspended: suspended ? { by: suspended.by, at: suspended.savedAt, stoppedForShares: suspended.restart.map((container) => container.name) } : null,
  };
}

/** The status of an engine no daemon runs: stopped, or suspended when a saved VM waits to be resumed. */
export function restingStatus(paths: HomePaths, env: NodeJS.ProcessEnv): EngineStatus {
  const suspended = readSuspended(suspendFiles(paths.home));
  return engineStatus(paths, env, {
    state: suspended ? 'suspended' : 'stopped',
    started: null,
    accelerator: null,
    suspended,
    startMs: null,
    steps: [],
    error: null,
    versions: {},
    ports: [],
  });
}
