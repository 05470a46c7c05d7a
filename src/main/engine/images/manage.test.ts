import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { pruneImages, removeImages } from './manage';

const refused = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode, json: { message } });

describe('managing images', () => {
  it('prunes dangling images, or every unused one, and counts what went', async () => {
    const asked: unknown[] = [];
    const docker = {
      pruneImages: async (options: unknown) => {
        asked.push(options);
        return { ImagesDeleted: [{ Untagged: 'a:1' }, { Deleted: 'sha256:1' }, { Deleted: 'sha256:2' }], SpaceReclaimed: 42 };
      },
    } as unknown as Docker;
    expect(await pruneImages(docker, false)).toEqual({ deleted: 2, untagged: 1, reclaimedBytes: 42 });
    await pruneImages(docker, true);
    expect(asked).toEqual([{ filters: { dangling: ['true'] } }, { filters: { dangling: ['false'] } }]);
  });

  it("says why the engine would not remove an image, each with what to do", async () => {
    const answers: Record<string, Error> = {
      gone: refused(404, 'No such image: gone:1'),
      used: refused(409, 'conflict: unable to remove repository reference "used:1" (must force) - container 1234 is using its referenced image 5678'),
      tagged: refused(409, 'conflict: unable to delete 5678 (must be forced) - image is referenced in multiple repositories'),
    };
    const forced: boolean[] = [];
    const docker = {
      getImage: (ref: string) => ({
        remove: async ({ force }: { force: boolean }) => {
          forced.push(force);
          if (answers[ref]) throw answers[ref];
        },
      }),
    } as unknown as Docker;
    const results = await removeImages(docker, ['fine:1', 'gone', 'used', 'tagged'], false);
    expect(results.map(({ ref, error }) => [ref, error?.name ?? null])).toEqual([
      ['fine:1', null],
      ['gone', 'NoSuchImage'],
      ['used', 'ImageInUse'],
      ['tagged', 'ImageHasTags'],
    ]);
    expect(results.every(({ error }) => error === null || error.hint.length > 0)).toBe(true);
    expect(forced).toEqual([false, false, false, false]);
  });
});
