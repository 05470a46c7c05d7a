import { nextTick, ref, watch, type WatchSource } from 'vue';

const atBottom = (element: HTMLElement): boolean => element.scrollHeight - element.scrollTop - element.clientHeight < 4;

/**
 * A scrolling box of lines that keeps its end in view while `follow` is on, whenever `lines` change:
 * scrolling up to read turns following off, scrolling back to the end turns it on again.
 */
export function useFollowScroll(lines: WatchSource) {
  const box = ref<HTMLElement | null>(null);
  const follow = ref(true);

  function scrolled(): void {
    if (box.value) follow.value = atBottom(box.value);
  }

  async function toBottom(): Promise<void> {
    await nextTick();
    if (follow.value && box.value) box.value.scrollTop = box.value.scrollHeight;
  }

  watch([lines, follow], () => void toBottom(), { flush: 'post' });
  return { box, follow, scrolled };
}
