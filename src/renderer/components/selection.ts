import { computed, ref } from 'vue';

/** The rows of a table ticked for a toolbar action, by key. A ticked row the view no longer shows does not count. */
export function useSelection(visible: () => string[]) {
  const ticked = ref(new Set<string>());
  const shown = computed(visible);
  const chosen = computed(() => shown.value.filter((key) => ticked.value.has(key)));
  const all = computed(() => chosen.value.length > 0 && chosen.value.length === shown.value.length);

  function tick(key: string, on: boolean): void {
    if (on) ticked.value.add(key);
    else ticked.value.delete(key);
  }

  return {
    ticked,
    chosen,
    all,
    tick,
    tickAll: (on: boolean) => (ticked.value = new Set(on ? shown.value : [])),
    forget: (keys: string[]) => keys.forEach((key) => ticked.value.delete(key)),
  };
}

export type Selection = ReturnType<typeof useSelection>;
