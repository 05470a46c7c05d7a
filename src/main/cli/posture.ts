// `berth posture [--json]`: each container's security findings, as the Containers view shows them.
import type { ContainerPosture } from '../api/containers';
import { BerthError } from '../api/errors';
import { FINDING_IDS, FINDING_WORDS, type FindingId } from '../api/posture';
import { connectDaemon } from '../daemon/connect';
import type { HomePaths } from '../home';

/** What --json prints for one container: these keys, in this order, for scripts to rely on. */
export interface PostureLine {
  id: string;
  name: string;
  image: string;
  findings: Array<{ id: FindingId; label: string; detail: string }>;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function postureLines(containers: ContainerPosture[]): PostureLine[] {
  return [...containers].sort(byName).map(({ id, name, image, findings }) => ({
    id,
    name,
    image,
    findings: findings.map((finding) => ({ id: finding.id, label: FINDING_WORDS[finding.id].label, detail: finding.detail })),
  }));
}

/** A table of the containers and their findings' labels, then how to avoid each kind of finding it shows. */
export function postureTable(lines: PostureLine[]): string {
  if (!lines.length) return 'No containers.';
  const rows = [['NAME', 'IMAGE', 'FINDINGS'], ...lines.map((line) => [line.name, line.image, line.findings.map((finding) => finding.label).join(', ') || 'none'])];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const table = rows.map(([name, image, findings]) => `${name!.padEnd(widths[0]!)}  ${image!.padEnd(widths[1]!)}  ${findings}`);
  const shown = new Set(lines.flatMap((line) => line.findings.map((finding) => finding.id)));
  if (!shown.size) return table.join('\n');
  const kinds = FINDING_IDS.filter((id) => shown.has(id));
  const width = Math.max(...kinds.map((id) => FINDING_WORDS[id].label.length));
  return [...table, '', 'To avoid them:', ...kinds.map((id) => `  ${FINDING_WORDS[id].label.padEnd(width)}  ${FINDING_WORDS[id].avoid}`)].join('\n');
}

export async function postureCommand(paths: HomePaths, args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--json');
  if (unknown.length) throw new BerthError('UnknownCommand', `berth posture takes only --json, not ${unknown.join(' ')}.`, 'Run `berth posture` for a table, or `berth posture --json`.');
  const connection = await connectDaemon(paths, false);
  if (!connection) {
    throw new BerthError('EngineNotRunning', 'The engine is not running, so there are no containers to check.', 'Start it with `berth start`, then run `berth posture` again.');
  }
  try {
    const lines = postureLines((await connection.client.invoke('containers.posture', {})).containers);
    process.stdout.write(`${args.includes('--json') ? JSON.stringify(lines, null, 2) : postureTable(lines)}\n`);
    return 0;
  } finally {
    connection.close();
  }
}
