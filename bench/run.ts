import { fileURLToPath } from 'node:url';
import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Instance } from '../e2e/support/berth';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** A fresh, host-only installation (the e2e suite's): benchmarks send traffic only to this machine. */
export { newInstance as benchInstance } from '../e2e/support/berth';

export function sh(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const began = performance.now();
  return new Promise((done) =>
    execFile('sh', ['-c', command], { env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code) || 1 : 0, stdout, stderr, ms: performance.now() - began }),
    ),
  );
}

export const berthCommand = `'${process.execPath}' '${join(repoRoot, 'bin', 'berth.mjs')}'`;

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const median = (values: number[]): number => percentile(values, 50);

/** A time as the tables print it. */
export const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(2)} ms`);

/** One figure over its baseline; empty when the baseline is zero. */
export const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : '');

export type Row = {
  figure: string;
  berth: string;
  baseline: string;
  ratio: string;
  target: string;
};

const ROW_HEADERS: Row = { figure: 'figure', berth: 'berth', baseline: 'baseline (same run)', ratio: 'ratio', target: 'target' };

/** A Markdown table: `headers` names the columns, in their order. */
export function printTable<R extends Record<string, string>>(rows: R[], headers: R): void {
  const keys = Object.keys(headers) as Array<keyof R>;
  const all = [headers, ...rows];
  const width = (key: keyof R): number => Math.max(...all.map((row) => row[key].length));
  const line = (row: R): string => `| ${keys.map((key) => row[key].padEnd(width(key))).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${keys.map((key) => '-'.repeat(width(key) + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

/** Keeps a child's output for the log while the benchmark runs. */
export function spawnLogged(command: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done) => {
    const child = spawn('sh', ['-c', command], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => done(code ?? 1));
  });
}

/**
 * Starts `instance`'s engine, runs `work` on it, then stops it and, unless `keep`, deletes its home,
 * whether `work` succeeded or not.
 */
export async function withEngine<T>(instance: Instance, work: () => Promise<T>, keep = false): Promise<T> {
  try {
    const started = await sh(`${berthCommand} start`, instance.env);
    if (started.code !== 0) throw new Error(`berth start failed:\n${started.stderr}`);
    return await work();
  } finally {
    await sh(`${berthCommand} stop`, instance.env);
    if (!keep) rmSync(instance.home, { recursive: true, force: true });
  }
}

/** Runs a benchmark and prints its table; a failure is printed instead, and the process exits with 1. */
export function runBench(measure: () => Promise<Row[]>): void;
export function runBench<R extends Record<string, string>>(measure: () => Promise<R[]>, headers: R): void;
export function runBench(measure: () => Promise<Array<Record<string, string>>>, headers: Record<string, string> = ROW_HEADERS): void {
  measure().then((rows) => printTable(rows, headers), (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  });
}
