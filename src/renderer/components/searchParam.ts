import { watch } from 'vue';
import { useRoute } from 'vue-router';

/** A list page opened at `?search=TEXT` (an extension's navigate.viewImage, say) starts filtered by TEXT. */
export function followSearchParam(set: (text: string) => void): void {
  const route = useRoute();
  watch(
    () => route.query.search,
    (value) => {
      if (typeof value === 'string') set(value);
    },
    { immediate: true },
  );
}
