/** The parts of a request's target that Berth reads. */
export interface Target {
  /** The path, percent-decoded. */
  path: string;
  query: URLSearchParams;
  /** The host an absolute target names (Electron's protocol handlers get absolute URLs); a server goes by the Host header instead. */
  host: string;
}

const RELATIVE_BASE = 'http://relative.invalid';

/**
 * The one parser of request targets, for every front end: a path (`/a?b`) or an absolute URL, or null when the
 * target is neither or its path does not percent-decode. Anything on this computer can send the server any
 * bytes; what does not parse gets a 400, never an exception.
 */
export function parseTarget(target: string | undefined): Target | null {
  try {
    const url = new URL(target ?? '/', RELATIVE_BASE);
    return { path: decodeURIComponent(url.pathname), query: url.searchParams, host: url.host };
  } catch {
    return null;
  }
}
