import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse as parseSfc } from 'vue/compiler-sfc';

// The layers, read from the source as TypeScript's own scanner sees its imports (import, export from,
// import(), require, import types), so a rule cannot be dodged by how an import is written.

const src = resolve(__dirname);

interface Import {
  /** The importing file, relative to the repository. */
  from: string;
  line: number;
  specifier: string;
  /** The imported file relative to the repository, or null for a package. */
  to: string | null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|vue)$/.test(entry.name) ? [path] : [];
  });
}

/** A .vue file's scripts, each with the line it starts on; the template imports nothing. */
function scriptsOf(file: string, text: string): { code: string; firstLine: number }[] {
  if (!file.endsWith('.vue')) return [{ code: text, firstLine: 1 }];
  const { descriptor } = parseSfc(text, { filename: file });
  return [descriptor.script, descriptor.scriptSetup].flatMap((block) => (block ? [{ code: block.content, firstLine: block.loc.start.line }] : []));
}

function resolveImport(file: string, specifier: string): string {
  const base = resolve(dirname(file), specifier);
  const found = ['', '.ts', '.vue', '/index.ts'].map((suffix) => base + suffix).find((candidate) => existsSync(candidate) && !candidate.endsWith('/'));
  return found ?? base;
}

const repo = resolve(src, '..');
const imports: Import[] = sourceFiles(src).flatMap((file) =>
  scriptsOf(file, readFileSync(file, 'utf8')).flatMap(({ code, firstLine }) => {
    const lines = ts.createSourceFile(file, code, ts.ScriptTarget.Latest);
    return ts.preProcessFile(code, true, true).importedFiles.map(({ fileName, pos }) => ({
      from: relative(repo, file),
      line: firstLine + lines.getLineAndCharacterOfPosition(pos).line,
      specifier: fileName,
      to: fileName.startsWith('.') ? relative(repo, resolveImport(file, fileName)) : null,
    }));
  }),
);

const under = (path: string | null, ...folders: string[]): boolean => path !== null && folders.some((folder) => path.startsWith(`${folder}/`));
const isTest = (path: string): boolean => /\.test\.ts$/.test(path);
const named = (found: Import[]): string[] => found.map(({ from, line, specifier }) => `${from}:${line} imports '${specifier}'`);

/** Every import cycle among the files that get built, each as the path around it. */
function cycles(): string[] {
  const edges = new Map<string, string[]>();
  for (const { from, to } of imports) {
    if (to === null || isTest(from) || isTest(to)) continue;
    edges.set(from, [...(edges.get(from) ?? []), to]);
  }
  const found: string[] = [];
  const done = new Set<string>();
  const visit = (file: string, path: string[]): void => {
    const back = path.indexOf(file);
    if (back >= 0) return void found.push([...path.slice(back), file].join(' -> '));
    if (done.has(file)) return;
    for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
    done.add(file);
  };
  for (const file of edges.keys()) visit(file, []);
  return found;
}

describe('layering', () => {
  it('reads the import graph of the whole source', () => {
    // A scanner that found nothing would make every rule below pass.
    expect(imports.filter((entry) => entry.from === 'src/main/app/index.ts').map((entry) => entry.specifier)).toContain('electron');
    expect(imports.some((entry) => entry.from.endsWith('.vue') && entry.to?.startsWith('src/main/api/'))).toBe(true);
  });

  it('lets only the Electron shell and its preloads import electron', () => {
    const electron = imports.filter((entry) => entry.to === null && /^electron(\/|$)/.test(entry.specifier));
    expect(named(electron.filter((entry) => !under(entry.from, 'src/main/app', 'src/preload')))).toEqual([]);
  });

  it('lets the window import only the contract from the rest of Berth', () => {
    // Its tests may compare the window with the backend code it mirrors; what is built into the window may not.
    const outside = imports.filter((entry) => under(entry.from, 'src/renderer') && !isTest(entry.from) && entry.to !== null && !under(entry.to, 'src/renderer'));
    expect(named(outside.filter((entry) => !under(entry.to, 'src/main/api')))).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles()).toEqual([]);
  });

  it('keeps the domain folders free of the daemon, the front ends and the CLI', () => {
    const domains = ['vm', 'tunnel', 'engine', 'registry', 'extensions', 'settings'].map((name) => `src/main/${name}`);
    const above = ['daemon', 'app', 'server', 'cli'].map((name) => `src/main/${name}`);
    expect(named(imports.filter((entry) => under(entry.from, ...domains) && under(entry.to, ...above)))).toEqual([]);
  });

  it('keeps what both front ends share out of either of them', () => {
    const shared = ['src/main/window', 'src/main/api'];
    expect(named(imports.filter((entry) => under(entry.from, ...shared) && under(entry.to, 'src/main/app', 'src/main/server', 'src/preload', 'src/renderer')))).toEqual([]);
    expect(named(imports.filter((entry) => under(entry.from, 'src/main/app') && under(entry.to, 'src/main/server', 'src/preload')))).toEqual([]);
  });
});
