import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { StreamHandle, StreamListener } from '../../main/api/client';
import { toWire, type WireError } from '../../main/api/errors';
import type { CatalogEntry, Extension, InstallProgress, TrustQuestion } from '../../main/api/extensions';
import type { TransferProgress } from '../../main/api/images';
import { parseReference, repositoryOf } from '../../main/api/reference';
import { invoke, stream } from '../bridge';
import { followed } from './followed';
import { useAttempts } from './engineList';

/** One install or update the window started, as its stream tells it. */
export interface Job {
  id: number;
  action: 'install' | 'update';
  /** The reference being installed; for an update without a new one, the extension's own. */
  image: string;
  /** The extension an update replaces; null for an install. */
  key: string | null;
  state: 'running' | 'done' | 'failed';
  /** Each step once, in the order they started, as its latest chunk says. */
  steps: InstallProgress[];
  /** The pull's latest progress, kept after the pull step ends so its bar stays full. */
  pull: TransferProgress | null;
  /** What the extension may do, while the job waits for the user to accept it. */
  trust: TrustQuestion | null;
  error: WireError | null;
}

/**
 * An image's repository without tag or digest, written as an extension's id is: Docker Hub's names the short
 * way (docker.io/library/x is x). Text that does not parse stays as it is.
 */
export function repositoryOfImage(image: string): string {
  const checked = parseReference(image);
  if (!checked.ok) return image.trim();
  const { domain, path } = checked.reference;
  if (domain !== null && domain !== 'docker.io' && domain !== 'index.docker.io') return repositoryOf(checked.reference);
  return path.startsWith('library/') ? path.slice('library/'.length) : path;
}

/** A job's steps with `progress` in its place: a step keeps the place it started in. */
export function mergeStep(steps: readonly InstallProgress[], progress: InstallProgress): InstallProgress[] {
  const index = steps.findIndex((step) => step.step === progress.step);
  if (index < 0) return [...steps, progress];
  return steps.map((step, at) => (at === index ? progress : step));
}

/**
 * The installed extensions (kept on this computer, so they list without the engine), the bundled catalog,
 * and the installs and updates the window started. Installs are not tied to the page: leaving it does not
 * cancel one half done, and its outcome stays until dismissed.
 */
export const useExtensionsStore = defineStore('extensions', () => {
  const { value: extensions, loaded, loadError, load, follow } = followed(
    [] as Extension[],
    async () => (await invoke('extensions.list', {})).extensions,
    'extensions.changed',
    (next) => next.extensions,
  );

  const find = (key: string): Extension | undefined => extensions.value.find((extension) => extension.key === key);
  /** The ones with a dashboard tab, by title: the sidebar lists them. */
  const withUi = computed(() =>
    extensions.value.filter((extension) => extension.ui !== null).sort((a, b) => (a.ui?.title ?? '').localeCompare(b.ui?.title ?? '')),
  );
  const installedIds = computed(() => new Set(extensions.value.map((extension) => extension.id)));
  const isInstalled = (image: string): boolean => installedIds.value.has(repositoryOfImage(image));

  const catalog = shallowRef<CatalogEntry[]>([]);
  const catalogLoaded = ref(false);
  const catalogError = ref<WireError | null>(null);

  async function loadCatalog(): Promise<void> {
    catalogError.value = null;
    try {
      catalog.value = (await invoke('extensions.catalog', {})).entries;
      catalogLoaded.value = true;
    } catch (error) {
      catalogError.value = toWire(error);
    }
  }

  const jobs = ref<Job[]>([]);
  const handles = new Map<number, StreamHandle<'extensions.install' | 'extensions.update'>>();
  let nextId = 1;
  const job = (id: number) => jobs.value.find((each) => each.id === id);
  /** The running job for an image (install) or an extension (update), so one is not started twice. */
  const running = (image: string, key: string | null) =>
    jobs.value.find((each) => each.state === 'running' && (key !== null ? each.key === key : repositoryOfImage(each.image) === repositoryOfImage(image)));

  function begin(action: Job['action'], image: string, key: string | null, open: (listener: StreamListener<'extensions.install'>) => StreamHandle<'extensions.install' | 'extensions.update'>): number {
    const already = running(image, key);
    if (already) return already.id;
    const id = nextId++;
    jobs.value.unshift({ id, action, image, key, state: 'running', steps: [], pull: null, trust: null, error: null });
    const handle = open({
      chunk(progress) {
        const current = job(id);
        if (!current) return;
        current.steps = mergeStep(current.steps, progress);
        if (progress.pull) current.pull = progress.pull;
        current.trust = progress.trust ?? null;
      },
      end(error) {
        handles.delete(id);
        const current = job(id);
        if (!current) return;
        current.state = error ? 'failed' : 'done';
        current.trust = null;
        current.error = error ? toWire(error) : null;
      },
    });
    handles.set(id, handle);
    return id;
  }

  /** Starts installing `image`; the job shows how it goes. */
  const install = (image: string): number => begin('install', image.trim(), null, (listener) => stream('extensions.install', { image: image.trim() }, listener));

  /** Reinstalls the extension, from `image` when given (another tag), else from the reference it came from. */
  function update(key: string, image?: string): number {
    const reference = image?.trim() || find(key)?.image || key;
    const request = image?.trim() ? { key, image: image.trim() } : { key };
    return begin('update', reference, key, (listener) => stream('extensions.update', request, listener));
  }

  /** The user's trust decision for a job waiting on one: accepted, the install goes on; declined, nothing is installed. */
  async function answerTrust(id: number, accept: boolean): Promise<void> {
    const current = job(id);
    const question = current?.trust;
    if (!current || !question) return;
    current.trust = null;
    try {
      await invoke('extensions.answerTrust', { id: question.id, accept });
    } catch (error) {
      current.error = toWire(error);
    }
  }

  /** Forgets an ended job; a running one stays, since its extension would be left half changed. */
  function dismissJob(id: number): void {
    if (job(id)?.state === 'running') return;
    jobs.value = jobs.value.filter((each) => each.id !== id);
  }

  const { errors, notice, attempt, dismiss } = useAttempts();
  const removing = ref(new Set<string>());

  const remove = (key: string) =>
    attempt(async () => {
      const title = find(key)?.title ?? key;
      removing.value.add(key);
      try {
        extensions.value = (await invoke('extensions.remove', { key })).extensions;
        notice.value = `Removed ${title}.`;
        return [];
      } finally {
        removing.value.delete(key);
      }
    });

  return {
    extensions,
    loaded,
    loadError,
    withUi,
    catalog,
    catalogLoaded,
    catalogError,
    jobs,
    errors,
    notice,
    removing,
    follow,
    load,
    find,
    isInstalled,
    loadCatalog,
    install,
    update,
    dismissJob,
    answerTrust,
    remove,
    dismiss,
  };
});
