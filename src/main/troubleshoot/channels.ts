import type Docker from 'dockerode';
import type { Handlers } from '../api/dispatch';
import type { StreamHandlers } from '../api/streams';
import { pruneKind, readDiskUsage } from '../engine/diskUsage';
import type { HomePaths } from '../home';
import { dataDiskFile } from '../vm/disk';
import { followLog } from './logFollow';

export type TroubleshootCalls = Pick<Handlers, 'diskUsage.get' | 'diskUsage.prune'>;
export type TroubleshootStreams = Pick<StreamHandlers, 'troubleshoot.logs'>;

export interface TroubleshootServices {
  /** The Engine API, failing with a hint while the engine is not running. */
  engine: { docker(): Docker };
  paths: HomePaths;
  log(line: string): void;
}

/** The Disk usage view's channels, and the logs the Troubleshoot view follows. */
export function troubleshootChannels({ engine, paths, log }: TroubleshootServices): { calls: TroubleshootCalls; streams: TroubleshootStreams } {
  return {
    calls: {
      'diskUsage.get': async () => {
        const [usage, dataDisk] = await Promise.all([readDiskUsage(engine.docker()), dataDiskFile(paths.dataDisk)]);
        return { ...usage, dataDisk };
      },
      'diskUsage.prune': async (request) => {
        const done = await pruneKind(engine.docker(), request);
        log(`pruned ${request.kind}${request.kind === 'images' && request.all ? ' (all unused)' : ''}: ${done.removed} removed, ${done.reclaimedBytes} bytes reclaimed`);
        return done;
      },
    },
    streams: {
      'troubleshoot.logs': ({ which }, session) => followLog(which === 'daemon' ? paths.daemonLog : paths.consoleLog, session.signal, session.send),
    },
  };
}
