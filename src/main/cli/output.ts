import type { EngineStatus, StartStep } from '../api/engine';
import { BerthError } from '../api/errors';

export function printError(error: unknown): void {
  if (error instanceof BerthError) {
    process.stderr.write(`error: ${error.message}\nhint: ${error.hint}\n`);
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

/** Prints each start step once, as it finishes or fails. */
export function stepPrinter(): (status: EngineStatus) => void {
  const printed = new Set<string>();
  return (status) => {
    // While stopping (a restart), the steps shown are the previous start's.
    if (status.state === 'stopping' || status.state === 'stopped') return;
    for (const step of status.steps) {
      if ((step.state === 'done' || step.state === 'failed') && !printed.has(step.name)) {
        printed.add(step.name);
        process.stderr.write(`${formatStep(step)}\n`);
      }
    }
  };
}

export function formatStep(step: StartStep): string {
  const mark = step.state === 'done' ? 'ok ' : step.state === 'failed' ? 'ERR' : '...';
  const ms = step.ms === null ? '' : `${step.ms} ms`;
  return `  ${mark} ${step.label.padEnd(22)} ${ms.padStart(9)}${step.detail ? `  ${step.detail}` : ''}`;
}

export function formatStatus(status: EngineStatus): string {
  const lines = [
    `state:        ${status.state}`,
    `docker host:  ${status.dockerHost}  (docker context: ${status.context})`,
    `accelerator:  ${status.accelerator ?? '-'}${status.acceleratorReason ? `  (${status.acceleratorReason})` : ''}`,
    `network:      ${status.network}`,
  ];
  if (status.startMs !== null) lines.push(`started in:   ${(status.startMs / 1000).toFixed(1)} s`);
  if (status.suspended) lines.push(...suspendedLines(status.suspended));
  for (const [name, version] of Object.entries(status.versions)) lines.push(`${`${name}:`.padEnd(14)}${version}`);
  if (status.state === 'starting') lines.push(...status.steps.map(formatStep));
  for (const port of status.ports) {
    if (port.state === 'failed' && port.error) {
      lines.push(`port failed: ${port.container} ${port.hostIp}:${port.hostPort}/${port.protocol}: ${port.error.message} ${port.error.hint}`);
    }
  }
  if (status.error) lines.push(`error:        ${status.error.message}`, `hint:         ${status.error.hint}`);
  return lines.join('\n');
}

/** What a suspended engine is, and what the next start does with it. */
export function suspendedLines(suspended: NonNullable<EngineStatus['suspended']>): string[] {
  const by = suspended.by === 'user' ? 'by you' : 'by Resource Saver (idle)';
  const lines = [`suspended:    ${by}, at ${suspended.at}; \`berth start\` resumes it, its containers running on`];
  if (suspended.stoppedForShares.length) {
    lines.push(`              stopped for the suspend, started again on resume (they bind a shared folder): ${suspended.stoppedForShares.join(', ')}`);
  }
  return lines;
}
