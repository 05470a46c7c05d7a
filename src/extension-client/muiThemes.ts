/**
 * The MUI theme options an extension page finds in `window.__ddMuiV5Themes` and `window.__ddMuiV6Themes`.
 * `@docker/docker-mui-theme`'s provider (which most extensions are built on) reads the one for the system's
 * colour scheme from there and hands it to MUI's createTheme, so the page takes Berth's look: the colours of
 * src/renderer/theme.css, its font and its corners. Extensions also read `theme.palette.docker`, colour ramps
 * keyed 50 to 900. As in Docker Desktop, a ramp runs from the page's own background towards its text: in the
 * dark theme 50 is the darkest, so `grey[100]` behind `grey[700]` reads well in either mode.
 *
 * Plain data only: both carriers (the Electron preload and the browser-mode page script) copy it into the page.
 */

export const RAMP_KEYS = [50, 100, 200, 300, 400, 500, 600, 700, 800, 900] as const;
export type RampKey = (typeof RAMP_KEYS)[number];
export type Ramp = Record<RampKey, string>;

export const DOCKER_COLOURS = ['grey', 'blue', 'red', 'green', 'amber', 'violet'] as const;
export type DockerColour = (typeof DOCKER_COLOURS)[number];

export type ColourScheme = 'light' | 'dark';

/** The subset of MUI's ThemeOptions that Berth sets, plus Docker's `palette.docker`. */
export interface MuiThemeOptions {
  palette: {
    mode: ColourScheme;
    primary: { main: string; contrastText: string };
    secondary: { main: string; contrastText: string };
    success: { main: string };
    warning: { main: string };
    error: { main: string };
    info: { main: string };
    background: { default: string; paper: string };
    text: { primary: string; secondary: string };
    divider: string;
    docker: Record<DockerColour, Ramp>;
  };
  typography: { fontFamily: string; fontSize: number };
  shape: { borderRadius: number };
}

/** Both schemes, as `@docker/docker-mui-theme` indexes them. */
export type MuiThemeBag = Record<ColourScheme, MuiThemeOptions>;

/** Ten shades, from the page's background towards its text. */
type Shades = [string, string, string, string, string, string, string, string, string, string];

function ramp([s50, s100, s200, s300, s400, s500, s600, s700, s800, s900]: Shades): Ramp {
  return { 50: s50, 100: s100, 200: s200, 300: s300, 400: s400, 500: s500, 600: s600, 700: s700, 800: s800, 900: s900 };
}

/**
 * Each ramp is built around the colour theme.css gives the same role (the accent, ok, busy, bad) at 500; the
 * greys run from the page's background to its text.
 */
const SHADES: Record<ColourScheme, Record<DockerColour, Shades>> = {
  light: {
    grey: ['#f4f5f7', '#eceef2', '#d9dde3', '#c2c8d0', '#8a929e', '#6b7380', '#5c6573', '#3d4450', '#2a303b', '#1d2330'],
    blue: ['#eef4fe', '#dce8fd', '#b6cefa', '#86adf6', '#4f86f1', '#1d63ed', '#1751c4', '#12419c', '#0e3278', '#0a2455'],
    red: ['#fdecec', '#fad5d6', '#f4abad', '#ea7c7f', '#df5357', '#d1363a', '#b02a2e', '#8c2124', '#69191b', '#481113'],
    green: ['#ecf8f0', '#d3f0dd', '#a6e0bb', '#6fcb92', '#3cb46b', '#1a9c4a', '#15803d', '#106431', '#0c4b25', '#08341a'],
    amber: ['#fdf5e6', '#fbe8c2', '#f6d089', '#eeb44c', '#dd971a', '#c77c00', '#a56600', '#825000', '#603b00', '#422900'],
    violet: ['#f3effd', '#e4dbfb', '#c9b7f6', '#a88ef0', '#8a67e8', '#6e45dd', '#5a36bb', '#472a94', '#351f6f', '#24154c'],
  },
  dark: {
    grey: ['#1b1d22', '#23262d', '#2c3038', '#363a44', '#4a4f5a', '#7d8590', '#9aa3ae', '#b9c0c9', '#d3d8de', '#e6e8eb'],
    blue: ['#0c1a33', '#11264a', '#173566', '#1f4a8c', '#2f67c2', '#4a8cff', '#6fa3ff', '#95bbff', '#bcd4ff', '#e0ebff'],
    red: ['#2a1416', '#3a2326', '#57262a', '#7f3136', '#b84449', '#ff6369', '#ff8287', '#ffa2a6', '#ffc3c6', '#ffe3e4'],
    green: ['#0b2114', '#0f2e1c', '#154027', '#1d5a37', '#29864f', '#3ccf6e', '#62d98a', '#8be3a7', '#b5edc6', '#dcf7e5'],
    amber: ['#2a2006', '#3a2c0a', '#55400f', '#7a5c15', '#b3861f', '#f0b429', '#f3c352', '#f6d27c', '#f9e1a8', '#fcf0d4'],
    violet: ['#1a1430', '#241b42', '#33265e', '#47348a', '#6549c4', '#8a6cf0', '#a08af3', '#b8a8f6', '#d0c6f9', '#e8e3fc'],
  },
};

/** theme.css's colours, by role. */
const LOOK: Record<ColourScheme, { bg: string; panel: string; text: string; muted: string; border: string; accent: string; accentText: string; ok: string; busy: string; bad: string }> = {
  light: { bg: '#f4f5f7', panel: '#ffffff', text: '#1d2330', muted: '#5c6573', border: '#d9dde3', accent: '#1d63ed', accentText: '#ffffff', ok: '#1a9c4a', busy: '#c77c00', bad: '#d1363a' },
  dark: { bg: '#1b1d22', panel: '#23262d', text: '#e6e8eb', muted: '#9aa3ae', border: '#363a44', accent: '#4a8cff', accentText: '#0d1117', ok: '#3ccf6e', busy: '#f0b429', bad: '#ff6369' },
};

function themeFor(scheme: ColourScheme): MuiThemeOptions {
  const look = LOOK[scheme];
  const shades = SHADES[scheme];
  const docker: Record<DockerColour, Ramp> = {
    grey: ramp(shades.grey),
    blue: ramp(shades.blue),
    red: ramp(shades.red),
    green: ramp(shades.green),
    amber: ramp(shades.amber),
    violet: ramp(shades.violet),
  };
  return {
    palette: {
      mode: scheme,
      primary: { main: look.accent, contrastText: look.accentText },
      secondary: { main: docker.violet[500], contrastText: look.accentText },
      success: { main: look.ok },
      warning: { main: look.busy },
      error: { main: look.bad },
      info: { main: docker.blue[600] },
      background: { default: look.bg, paper: look.panel },
      text: { primary: look.text, secondary: look.muted },
      divider: look.border,
      docker,
    },
    typography: { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, Ubuntu, sans-serif", fontSize: 14 },
    shape: { borderRadius: 6 },
  };
}

export const muiThemes: MuiThemeBag = { light: themeFor('light'), dark: themeFor('dark') };

/**
 * Puts the themes on the page: each global its own copy, writable, since some extensions set their own.
 * Self-contained (it uses only its argument and `window`): the Electron preload runs it in the page's
 * world from its source text.
 */
export function putThemesInPage(json: string): void {
  window.__ddMuiV5Themes = JSON.parse(json);
  window.__ddMuiV6Themes = JSON.parse(json);
}

declare global {
  interface Window {
    __ddMuiV5Themes?: unknown;
    __ddMuiV6Themes?: unknown;
  }
}
