import type { EngineState } from '../api/engine';
import { loadSettings } from '../settings/store';
import type { Following } from './following';
import type { SuspendedBy } from './suspend';

/** What Resource Saver watches and does. */
export interface Idler {
  readonly current: EngineState;
  readonly following: Following | null;
  /** When the engine's Docker socket last had a client's request or answer under way, or it came up if later; null when not running. */
  lastClient(): number | null;
  suspend(by: SuspendedBy): Promise<unknown>;
}

/**
 * When the running engine last had something to do: a container running (now, if one is), a client, its
 * start. Null when not running, or while its containers are not known yet.
 */
function lastActive(engine: Idler): number | null {
  const containers = engine.following?.containerList.kept();
  const client = engine.lastClient();
  if (!containers || client === null) return null;
  return containers.some((container) => container.state === 'running' || container.state === 'restarting') ? Date.now() : client;
}

const MINUTE = 60_000;
/** How often the idle time is looked at: often enough for a short setting, rarely enough to cost nothing. */
const checkEveryMs = (idleMs: number): number => Math.max(1_000, Math.min(15_000, idleMs / 4));

/**
 * Resource Saver: once the engine has been idle (no container running, no client request on its Docker
 * socket) for `resourceSaver.idleMinutes`, it is suspended; a request on the socket wakes it (see
 * Suspension). The setting is read at each look, so a change applies without a restart; 0 turns it off.
 */
export class ResourceSaver {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly engine: Idler,
    private readonly settingsFile: string,
    private readonly log: (line: string) => void,
  ) {
    this.schedule(MINUTE / 4);
  }

  private idleMs(): number {
    try {
      return loadSettings(this.settingsFile).resourceSaver.idleMinutes * MINUTE;
    } catch {
      // A broken settings file is reported by the next start; meanwhile nothing is suspended.
      return 0;
    }
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => void this.look(), ms);
    this.timer.unref();
  }

  private async look(): Promise<void> {
    const idleMs = this.idleMs();
    const since = lastActive(this.engine);
    if (idleMs > 0 && this.engine.current === 'running' && since !== null && Date.now() - since >= idleMs) {
      this.log(`Resource Saver: idle for ${Math.round((Date.now() - since) / 1000)} s; suspending the engine`);
      await this.engine.suspend('resource-saver').catch((error: Error) => this.log(`Resource Saver could not suspend the engine: ${error.message}`));
    }
    if (this.timer) this.schedule(checkEveryMs(idleMs || MINUTE));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
