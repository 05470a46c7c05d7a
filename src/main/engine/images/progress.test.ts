import { describe, expect, it } from 'vitest';
import { ProgressTracker, throttled } from './progress';

const layer = (id: string, status: string, current?: number, total?: number) => ({
  id,
  status,
  progressDetail: current === undefined ? {} : { current, total },
});

describe('pull and push progress', () => {
  it('follows each layer through download and extraction, and averages them for the whole', () => {
    const tracker = new ProgressTracker();
    tracker.seen({ id: 'latest', status: 'Pulling from berth/busybox' });
    tracker.seen(layer('aaa', 'Pulling fs layer'));
    tracker.seen(layer('bbb', 'Already exists'));
    expect(tracker.snapshot()).toMatchObject({ status: 'latest: Pulling from berth/busybox', fraction: 0.5, complete: false });
    expect(tracker.snapshot().layers.map((l) => l.id)).toEqual(['aaa', 'bbb']);

    tracker.seen(layer('aaa', 'Downloading', 50, 100));
    const downloading = tracker.snapshot().layers[0]!;
    expect(downloading).toEqual({ id: 'aaa', status: 'Downloading', current: 50, total: 100, fraction: 0.35 });

    tracker.seen(layer('aaa', 'Download complete'));
    expect(tracker.snapshot().layers[0]!.fraction).toBeCloseTo(0.7);
    tracker.seen(layer('aaa', 'Extracting', 100, 100));
    expect(tracker.snapshot().layers[0]!.fraction).toBe(1);
    tracker.seen(layer('aaa', 'Pull complete'));
    tracker.seen({ status: 'Digest: sha256:abc' });
    expect(tracker.snapshot()).toMatchObject({ status: 'Digest: sha256:abc', fraction: 1 });
  });

  it("follows a plugin's pull, whose layers end with Complete", () => {
    const tracker = new ProgressTracker();
    tracker.seen({ id: 'v1', status: 'Pulling from berth/volume' });
    tracker.seen(layer('eee', 'Waiting'));
    tracker.seen(layer('eee', 'Downloading', 10, 40));
    expect(tracker.snapshot().layers[0]!.fraction).toBeCloseTo(0.175);
    tracker.seen(layer('eee', 'Extracting', 40, 40));
    tracker.seen(layer('eee', 'Complete'));
    expect(tracker.snapshot()).toMatchObject({ status: 'v1: Pulling from berth/volume', fraction: 1, layers: [{ id: 'eee', status: 'Complete' }] });
  });

  it('keeps how far a layer got across statuses without bytes, and caps a push that counts past its total', () => {
    const tracker = new ProgressTracker();
    tracker.seen(layer('ccc', 'Pushing', 30, 100));
    tracker.seen(layer('ccc', 'Retrying in 5 seconds'));
    expect(tracker.snapshot().layers[0]).toMatchObject({ status: 'Retrying in 5 seconds', fraction: 0.3 });
    tracker.seen(layer('ccc', 'Pushing', 130, 100));
    expect(tracker.snapshot().layers[0]!.fraction).toBe(0.99);
    tracker.seen(layer('ccc', 'Pushed'));
    tracker.seen(layer('ddd', 'Mounted from berth/other'));
    expect(tracker.snapshot().fraction).toBe(1);
  });

  it('returns the engine error, and marks everything done when the transfer finishes', () => {
    const tracker = new ProgressTracker();
    tracker.seen(layer('aaa', 'Waiting'));
    expect(tracker.seen({ error: 'manifest unknown', errorDetail: { message: 'manifest unknown: manifest unknown' } })).toBe('manifest unknown: manifest unknown');
    tracker.finish();
    expect(tracker.snapshot()).toMatchObject({ fraction: 1, complete: true, layers: [{ fraction: 1 }] });
  });

  it('sends at most one value per interval, always the newest, and flushes on demand', async () => {
    const sent: number[] = [];
    const out = throttled<number>((value) => sent.push(value), 20);
    out.push(1);
    out.push(2);
    out.push(3);
    expect(sent).toEqual([]);
    await new Promise((done) => setTimeout(done, 40));
    expect(sent).toEqual([3]);
    out.push(4);
    out.flush();
    out.flush();
    expect(sent).toEqual([3, 4]);
  });
});
