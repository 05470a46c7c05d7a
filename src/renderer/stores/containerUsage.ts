import { defineStore } from 'pinia';
import { onScopeDispose, ref, shallowReactive } from 'vue';
import type { ContainerUsage } from '../../main/api/containerDetails';
import { link } from '../bridge';
import { useLiveStream } from '../liveStream';
import { useEngineStore } from './engine';

const same = (a: ContainerUsage, b: ContainerUsage): boolean =>
  a.cpuPercent === b.cpuPercent && a.memoryBytes === b.memoryBytes && a.memoryLimitBytes === b.memoryLimitBytes;

/**
 * CPU and memory of every running container, from one batched stream, open only while a view shows
 * the figures. Each row reads its own entry, so a batch redraws only the rows whose figures changed.
 */
export const useContainerUsageStore = defineStore('containerUsage', () => {
  const engine = useEngineStore();
  const byId = shallowReactive(new Map<string, ContainerUsage>());
  const viewers = ref(0);

  function take(batch: ContainerUsage[]): void {
    const seen = new Set<string>();
    for (const usage of batch) {
      seen.add(usage.id);
      const before = byId.get(usage.id);
      if (!before || !same(before, usage)) byId.set(usage.id, usage);
    }
    for (const id of byId.keys()) if (!seen.has(id)) byId.delete(id);
  }

  const live = useLiveStream('containers.usage', {
    key: () => (viewers.value > 0 && engine.state === 'running' && link.state === 'open' ? 'on' : null),
    request: () => ({}),
    chunk: ({ containers }) => take(containers),
    // It ends when the engine stops; while someone looks and the engine runs, it comes back.
    retryAfterMs: () => 2000,
  });

  /** Called from a view's setup: the stream stays open while at least one such view is mounted. */
  function showWhileMounted(): void {
    viewers.value += 1;
    onScopeDispose(() => {
      viewers.value -= 1;
    });
  }

  return { byId, error: live.error, showWhileMounted };
});
