import { createInterface } from 'node:readline/promises';

/**
 * Asks a yes/no question on the terminal; false without asking when there is no terminal to ask on (a
 * script must say --yes), and when the user presses Ctrl-C.
 */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const interrupted = new AbortController();
  prompt.once('SIGINT', () => interrupted.abort());
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `, { signal: interrupted.signal })).trim());
  } catch {
    return false;
  } finally {
    prompt.close();
  }
}
