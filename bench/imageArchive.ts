// Many distinct images in one `docker load` archive, made on the host without a registry or a network.
import { createHash, randomBytes } from 'node:crypto';

interface Entry {
  name: string;
  data: Buffer;
}

function header(entry: Entry): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, at: number, length: number): void => void block.write(text.slice(0, length), at, 'latin1');
  const octal = (value: number, length: number): string => value.toString(8).padStart(length - 1, '0');
  put(entry.name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(entry.data.length, 12), 124, 12);
  // A fixed time: the same image number gives the same layer digest in every run.
  put(octal(1_700_000_000, 12), 136, 12);
  put('0', 156, 1);
  put('ustar\u000000', 257, 8);
  // The checksum is computed with its own field read as spaces.
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${octal(sum, 7)}\u0000 `, 148, 8);
  return block;
}

/** A ustar archive of regular files. */
export function tarball(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry), entry.data, Buffer.alloc((512 - (entry.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * `count` images tagged `<name>-NNN:latest`, each one layer holding one file of its own: a line naming it,
 * or `bytes` random bytes (which no layer store can compress or share).
 */
export function imageArchive(count: number, { name = 'bench/img', bytes = 0, first = 1 } = {}): Buffer {
  const entries: Entry[] = [];
  const manifest: Array<{ Config: string; RepoTags: string[]; Layers: string[] }> = [];
  for (let i = first; i < first + count; i += 1) {
    const number = String(i).padStart(3, '0');
    const data = bytes > 0 ? randomBytes(bytes) : Buffer.from(`bench image ${number}\n`);
    const layer = tarball([{ name: 'bench.txt', data }]);
    const layerId = sha256(layer);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: '2024-01-01T00:00:00Z',
        config: { Cmd: ['/bench.txt'] },
        rootfs: { type: 'layers', diff_ids: [`sha256:${layerId}`] },
        history: [{ created: '2024-01-01T00:00:00Z', created_by: `bench image ${number}` }],
      }),
    );
    const configName = `${sha256(config)}.json`;
    entries.push({ name: `${layerId}/layer.tar`, data: layer }, { name: configName, data: config });
    manifest.push({ Config: configName, RepoTags: [`${name}-${number}:latest`], Layers: [`${layerId}/layer.tar`] });
  }
  entries.push({ name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) });
  return tarball(entries);
}
