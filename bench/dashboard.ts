// `npm run bench:dashboard`: the Containers view of a busy engine, each figure beside a docker CLI baseline from the same run.
//
// Environment: BENCH_CONTAINERS and BENCH_IMAGES (default 1000 and 300) size the engine. BENCH_HOME names a
// BERTH_HOME to keep between runs (a short path, such as /tmp/bench-home: the Docker socket's path must stay
// under 108 bytes): a run finds there what an earlier one made and adds only what is missing, so filling the
// engine (about 27 minutes under TCG) is paid once. Without it each run fills a fresh home and removes it.
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { importBusybox, instanceAt, status, type Instance } from '../e2e/support/berth';
import { openDashboard } from '../e2e/support/dashboard';
import { imageArchive } from './imageArchive';
import { benchInstance, median, ratio, runBench, sh, withEngine, type Row } from './run';

const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 1000);
const IMAGES = Number(process.env.BENCH_IMAGES ?? 300);
const OPENS = 5;
/** Running containers, one stopped per repeat of the event figure; they count among CONTAINERS. */
const STOPS = 10;
const PROJECT = 'benchproj';

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const worst = (values: number[]): number => Math.max(...values);

async function inParallel<T>(items: T[], width: number, work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

type Cli = (args: string) => ReturnType<typeof sh>;

const names = (prefix: string, count: number, width: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);

/**
 * The containers (not started, a few in a compose project), the running ones to stop, and the images: those
 * an earlier run left (BENCH_HOME) are kept, the missing ones made. Answers the names of the running ones.
 */
async function populate(instance: Instance, engine: Docker, cli: Cli): Promise<string[]> {
  const began = performance.now();
  let mark = began;
  const lap = (): string => {
    const took = fmt(performance.now() - mark);
    mark = performance.now();
    return took;
  };
  const listed = await engine.listContainers({ all: true });
  const state = new Map(listed.map((info) => [(info.Names?.[0] ?? '').replace(/^\//, ''), info.State]));
  const images = new Set((await engine.listImages()).flatMap((image) => image.RepoTags ?? []));
  if (!images.has('busybox:offline')) {
    const busybox = await importBusybox(instance, 'busybox:offline');
    if (busybox.code !== 0) throw new Error(`importing busybox failed: ${busybox.stderr}`);
  }
  // Through the Engine API, many at once: under emulation the CLI took ~0.9 s a container, one after another.
  const idle = names('bench-', CONTAINERS - STOPS, 4);
  const newIdle = idle.filter((name) => !state.has(name));
  await inParallel(newIdle, 16, (name) =>
    engine.createContainer({ name, Image: 'busybox:offline', Cmd: ['true'], Labels: Number(name.slice(6)) % 100 === 1 ? { 'com.docker.compose.project': PROJECT } : {} }),
  );
  const idleTook = lap();
  // An init (tini) in front of sleep: SIGTERM ends the container at once instead of after the stop timeout.
  const live = names('bench-live-', STOPS, 2);
  const toStart = live.filter((name) => state.get(name) !== 'running');
  await inParallel(toStart, 4, async (name) => {
    if (!state.has(name)) await engine.createContainer({ name, Image: 'busybox:offline', Cmd: ['sleep', '100000'], HostConfig: { Init: true } });
    await engine.getContainer(name).start();
  });
  const liveTook = lap();
  const wanted = names('bench/img-', IMAGES, 3).map((name) => `${name}:latest`);
  const newImages = wanted.filter((tag) => !images.has(tag)).length;
  if (newImages > 0) {
    const archive = join(instance.home, 'images.tar');
    writeFileSync(archive, imageArchive(IMAGES));
    const loaded = await cli(`load -q -i '${archive}'`);
    if (loaded.code !== 0) throw new Error(`docker load failed: ${loaded.stderr}`);
    rmSync(archive);
  }
  const imagesTook = lap();
  const count = async (args: string): Promise<string> => (await cli(`${args} | wc -l`)).stdout.trim();
  console.log(
    `populated in ${fmt(performance.now() - began)} (busybox and ${newIdle.length} of ${idle.length} created ${idleTook}, ` +
      `${toStart.length} of ${live.length} started ${liveTook}, ${newImages} of ${IMAGES} images loaded ${imagesTook}): ` +
      `\`docker ps -aq\` ${await count('ps -aq')} lines, \`docker images\` ${await count('images')} lines (with its header)`,
  );
  return live;
}

/**
 * Runs in the page, untouched by the bundler (whose name helpers do not exist there). Times count to
 * the frame that shows the change: a requestAnimationFrame callback runs before that frame's paint,
 * the timeout after it.
 */
const PAGE_HELPERS = `
  window.benchPainted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  window.benchOpenContainers = (total) => new Promise((resolve) => {
    const began = performance.now();
    const since = () => benchPainted().then(() => performance.now() - began);
    let first = null;
    const observer = new MutationObserver(() => {
      const shown = document.querySelectorAll('section[aria-labelledby="containers-title"] tr[data-state]').length;
      if (shown > 0 && first === null) first = since();
      if (shown < total) return;
      observer.disconnect();
      Promise.all([first, since()]).then(([firstRow, allRows]) => resolve({ firstRow, allRows }));
    });
    observer.observe(document.body, { childList: true, subtree: true });
    location.hash = '#/containers';
  });
  window.benchWatchExit = (name) => {
    const selector = 'tr[aria-label="' + name + '"][data-state="exited"]';
    window.benchExited = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (!document.querySelector(selector)) return;
        observer.disconnect();
        benchPainted().then(() => resolve(Date.now()));
      });
      observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-state'] });
    });
  };
`;

interface Helpers {
  benchOpenContainers(total: number): Promise<{ firstRow: number; allRows: number }>;
  benchWatchExit(name: string): void;
  benchExited: Promise<number>;
}
// Each page.evaluate callback names `window` itself: it runs in the page, where no module-level helper exists.

/** Back at the Volumes view (empty), so that the Containers view opens anew. */
async function atVolumes(page: Page, reload: boolean): Promise<void> {
  await page.evaluate(() => (location.hash = '#/volumes'));
  if (reload) await page.reload();
  await page.getByText('No volumes yet').waitFor({ timeout: 60_000 });
}

async function heapBytes(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/** Each die event's arrival on the host, by container id, from one subscription through Berth's socket. */
async function dieEvents(engine: Docker): Promise<{ when(id: string): Promise<number>; close(): void }> {
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const stream = (await engine.getEvents({ filters: { type: ['container'], event: ['die'] } })) as NodeJS.ReadableStream & { destroy(): void };
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    const at = Date.now();
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      const id = (JSON.parse(line) as { id: string }).id;
      arrived.set(id, at);
      waiting.get(id)?.(at);
    }
  });
  return {
    when: (id) => new Promise((resolve) => (arrived.has(id) ? resolve(arrived.get(id)!) : waiting.set(id, resolve))),
    close: () => stream.destroy(),
  };
}

/** A CLI user's view of the same change: `docker ps` asked from the moment the event arrived, until it says exited. */
async function cliSeesExited(cli: Cli, id: string): Promise<number> {
  for (;;) {
    const shown = await cli(`ps -a --filter id=${id} --format '{{.State}}'`);
    if (shown.stdout.trim() === 'exited') return Date.now();
  }
}

interface Stop {
  eventToRow: number;
  stopToRow: number;
  eventToCli: number;
  stopToCli: number;
}

async function stopOne(page: Page, engine: Docker, cli: Cli, events: Awaited<ReturnType<typeof dieEvents>>, name: string): Promise<Stop> {
  const id = (await engine.getContainer(name).inspect()).Id;
  await page.evaluate((watched) => (window as unknown as Helpers).benchWatchExit(watched), name);
  const began = Date.now();
  const stopped = cli(`stop ${name}`);
  const event = await events.when(id);
  const cliAt = await cliSeesExited(cli, id);
  if ((await stopped).code !== 0) throw new Error(`docker stop ${name} failed`);
  const rowAt = await page.evaluate(() => (window as unknown as Helpers).benchExited);
  return { eventToRow: rowAt - event, stopToRow: rowAt - began, eventToCli: cliAt - event, stopToCli: cliAt - began };
}

function figure(rows: Row[], label: string, berth: number[], baseline: number[], target: string): void {
  rows.push({ figure: `${label}, median`, berth: fmt(median(berth)), baseline: fmt(median(baseline)), ratio: ratio(median(berth), median(baseline)), target });
  rows.push({ figure: `${label}, worst of ${berth.length}`, berth: fmt(worst(berth)), baseline: fmt(worst(baseline)), ratio: ratio(worst(berth), worst(baseline)), target });
}

async function measure(instance: Instance, engine: Docker, cli: Cli, live: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  const listings: number[] = [];
  for (let i = 0; i < OPENS; i += 1) listings.push((await cli('ps -a')).ms);

  const dashboard = await openDashboard(instance, '#/volumes', (page) => page.getByText('No volumes yet'));
  const { page } = dashboard;
  try {
    await page.addInitScript(PAGE_HELPERS);
    // A fresh page each time: the view's store, its list and its code chunk all start cold, as on a first visit.
    const cold: Array<{ firstRow: number; allRows: number }> = [];
    let heapBefore = 0;
    for (let i = 0; i < OPENS; i += 1) {
      await atVolumes(page, true);
      if (i === 0) heapBefore = await heapBytes(page);
      cold.push(await page.evaluate((total) => (window as unknown as Helpers).benchOpenContainers(total), CONTAINERS));
    }
    const heapOpen = await heapBytes(page);
    // The same page again: the list is already loaded and kept current, so only rendering remains.
    const warm: number[] = [];
    for (let i = 0; i < OPENS; i += 1) {
      await atVolumes(page, false);
      warm.push((await page.evaluate((total) => (window as unknown as Helpers).benchOpenContainers(total), CONTAINERS)).firstRow);
    }

    const events = await dieEvents(engine);
    const stops: Stop[] = [];
    try {
      for (const name of live) stops.push(await stopOne(page, engine, cli, events, name));
    } finally {
      events.close();
    }

    const label = `${CONTAINERS} containers, ${IMAGES} images`;
    figure(rows, `open Containers view to first row (fresh page; ${label}) vs \`docker ps -a\``, cold.map((c) => c.firstRow), listings, '<= 300 ms');
    figure(rows, '  same, to all rows', cold.map((c) => c.allRows), listings, '');
    figure(rows, '  reopen in the same page (list kept) to first row', warm, listings, '');
    const pick = (key: keyof Stop): number[] => stops.map((stop) => stop[key]);
    figure(rows, '`die` event on the host to row shows exited vs `docker ps -a --filter id=` shows exited', pick('eventToRow'), pick('eventToCli'), '<= 250 ms');
    figure(rows, '  `docker stop` started to row shows exited (same baseline, from the stop)', pick('stopToRow'), pick('stopToCli'), '');
    rows.push({ figure: 'renderer JS heap, Containers view open vs #/volumes before', berth: mb(heapOpen), baseline: mb(heapBefore), ratio: ratio(heapOpen, heapBefore), target: '<= 150 MB' });
  } finally {
    await dashboard.close();
  }
  return rows;
}

runBench(async () => {
  const kept = process.env.BENCH_HOME;
  const instance = kept ? instanceAt(resolve(kept)) : benchInstance();
  return withEngine(
    instance,
    async () => {
      const socket = String((await status(instance)).dockerHost).replace(/^unix:\/\//, '');
      const engine = new Docker({ socketPath: socket });
      const cli: Cli = (args) => sh(`docker --host 'unix://${socket}' ${args}`, instance.env);
      const live = await populate(instance, engine, cli);
      return measure(instance, engine, cli, live);
    },
    Boolean(kept),
  );
});
