import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ImageSummary } from '../../main/api/images';
import { splitTag } from '../../main/api/reference';
import { formatBytes } from '../format';
import { invoke, on } from '../bridge';
import { useAttempts, useWholeList } from './engineList';

/** One line of the table, as `docker images` has it: an image once per tag, or once untagged. */
export interface ImageRow {
  key: string;
  image: ImageSummary;
  repository: string;
  tag: string;
  /** repository:tag, or null for an image without tags. */
  reference: string | null;
  /** What the row is called (its accessible name): the reference, or `<none>:<none>` and the short id. */
  name: string;
}

export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

function rowsOf(image: ImageSummary): ImageRow[] {
  if (!image.tags.length) {
    const name = `<none>:<none> ${shortId(image.id)}`;
    return [{ key: image.id, image, repository: '<none>', tag: '<none>', reference: null, name }];
  }
  return image.tags.map((reference) => {
    const { repository, tag } = splitTag(reference);
    return { key: `${image.id} ${reference}`, image, repository, tag: tag ?? '<none>', reference, name: reference };
  });
}

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

/** Every image: listed once per connection and per engine start, then replaced by each 'images.changed'. */
export const useImagesStore = defineStore('images', () => {
  const { items: images, loaded, loadError, load, follow } = useWholeList(
    async () => (await invoke('images.list', {})).images,
    (replace) => on('images.changed', (next) => replace(next.images)),
  );
  const { errors, notice, attempt, dismiss } = useAttempts();
  const query = ref('');

  // Tagged rows by name; untagged ones after them, newest first.
  const rows = computed(() =>
    images.value.flatMap(rowsOf).sort((a, b) => {
      if (!a.reference || !b.reference) return a.reference ? -1 : b.reference ? 1 : b.image.created - a.image.created;
      return a.reference.localeCompare(b.reference);
    }),
  );

  const shown = computed(() => {
    const needle = query.value.trim().toLowerCase();
    if (!needle) return rows.value;
    return rows.value.filter((row) => row.name.toLowerCase().includes(needle) || shortId(row.image.id).startsWith(needle));
  });

  const tag = (source: string, target: string) =>
    attempt(async () => {
      const { reference } = await invoke('images.tag', { source, target });
      notice.value = `Tagged as ${reference}.`;
      return [];
    });

  /** A row's reference removes that tag only; an untagged row removes the image. */
  const remove = (row: ImageRow, force: boolean) =>
    attempt(async () => {
      const { results } = await invoke('images.remove', { refs: [row.reference ?? row.image.id], force });
      return results.flatMap((result) => (result.error ? [result.error] : []));
    });

  const prune = (all: boolean) =>
    attempt(async () => {
      const { deleted, untagged, reclaimedBytes } = await invoke('images.prune', { all });
      notice.value =
        deleted || untagged
          ? `Removed ${plural(deleted, 'image')}${untagged ? ` (${plural(untagged, 'tag')} untagged)` : ''}, reclaimed ${formatBytes(reclaimedBytes)}.`
          : `No ${all ? 'unused' : 'dangling'} images to remove.`;
      return [];
    });

  return { images, rows, shown, loaded, loadError, errors, notice, query, follow, load, tag, remove, prune, dismiss };
});
