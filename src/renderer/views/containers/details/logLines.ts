import type { LogLine } from '../../../../main/api/containers';

/** A line as the Logs tab keeps it: numbered, so the list can key it across batches. */
export interface KeptLine extends LogLine {
  seq: number;
}

/** How many lines the Logs tab keeps: a chatty container must not grow the window without bound. */
export const MAX_LINES = 5000;

/** The newest `max` of `kept` followed by `more`; neither array is changed. */
export function appendBounded<T>(kept: readonly T[], more: readonly T[], max: number): T[] {
  if (more.length >= max) return more.slice(more.length - max);
  return kept.slice(Math.max(0, kept.length + more.length - max)).concat(more);
}

export interface Part {
  text: string;
  match: boolean;
}

/** `text` cut into pieces, each case-insensitive occurrence of `needle` a piece of its own marked as a match. */
export function matchParts(text: string, needle: string): Part[] {
  if (!needle) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const wanted = needle.toLowerCase();
  const parts: Part[] = [];
  let from = 0;
  for (let at = lower.indexOf(wanted); at >= 0; at = lower.indexOf(wanted, from)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false });
    parts.push({ text: text.slice(at, at + wanted.length), match: true });
    from = at + wanted.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), match: false });
  return parts;
}

/** Docker's RFC 3339 time with nanoseconds, shortened to milliseconds and read as UTC. */
export function shortTime(time: string | null): string {
  if (!time) return '';
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d{1,3})?/.exec(time);
  return match ? `${match[1]} ${match[2]}${(match[3] ?? '.').padEnd(4, '0')}` : time;
}
