import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { removeFolder } from './imageFiles';
import { exclusively, type InstallContext } from './install';
import { extensionFolder, findInstalled } from './installed';

/** Removes the extension `key`: its backend with its containers and volumes, then its folder. */
export async function removeExtension(ctx: Pick<InstallContext, 'extensionsDir' | 'backends' | 'log'>, key: string): Promise<void> {
  const named = findInstalled(ctx.extensionsDir, key, ctx.log);
  await exclusively(named.key, async () => {
    const extension = findInstalled(ctx.extensionsDir, named.key, ctx.log);
    if (extension.vm) await ctx.backends.remove(extension, { keepVolumes: false });
    // Renamed first: the extension is gone at once, whatever happens while its files are deleted.
    const doomed = join(ctx.extensionsDir, `.removing-${extension.key}-${Date.now()}`);
    await rename(extensionFolder(ctx.extensionsDir, extension.key), doomed);
    await removeFolder(doomed);
    ctx.log(`extensions: removed ${extension.id}`);
  });
}
