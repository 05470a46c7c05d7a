import { readFileSync } from 'node:fs';
import { createTheme } from '@mui/material/styles';
import { describe, expect, it } from 'vitest';
import { DOCKER_COLOURS, muiThemes, RAMP_KEYS, type ColourScheme } from './muiThemes';

/** theme.css's custom properties for one scheme: each is a light-dark(light, dark) pair. */
function cssColours(scheme: ColourScheme): Record<string, string> {
  const css = readFileSync(new URL('../renderer/theme.css', import.meta.url), 'utf8');
  const pairs = [...css.matchAll(/--([\w-]+):\s*light-dark\((#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\)/g)];
  return Object.fromEntries(pairs.map((match) => [match[1]!, scheme === 'light' ? match[2]! : match[3]!]));
}

/** Relative luminance, as WCAG defines it. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const channel = parseInt(hex.slice(at, at + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

const schemes: ColourScheme[] = ['light', 'dark'];

describe("Berth's MUI themes for extension pages", () => {
  it('has both schemes, each with its mode', () => {
    expect(Object.keys(muiThemes).sort()).toEqual(['dark', 'light']);
    for (const scheme of schemes) expect(muiThemes[scheme].palette.mode).toBe(scheme);
  });

  for (const scheme of schemes) {
    it(`gives every Docker colour a complete ramp, 50 to 900, from the background towards the text (${scheme})`, () => {
      const { docker } = muiThemes[scheme].palette;
      expect(Object.keys(docker).sort()).toEqual([...DOCKER_COLOURS].sort());
      for (const colour of DOCKER_COLOURS) {
        expect(Object.keys(docker[colour]).map(Number)).toEqual([...RAMP_KEYS]);
        const shades = RAMP_KEYS.map((key) => docker[colour][key]);
        for (const shade of shades) expect(shade).toMatch(/^#[0-9a-f]{6}$/);
        const light = shades.map(luminance);
        // Lighter to darker in the light scheme, darker to lighter in the dark one.
        const ordered = light.every((value, index) => index === 0 || (scheme === 'light' ? value < light[index - 1]! : value > light[index - 1]!));
        expect(ordered, `${scheme} ${colour}: ${shades.join(' ')}`).toBe(true);
      }
    });

    it(`takes theme.css's colours (${scheme})`, () => {
      const css = cssColours(scheme);
      const { palette } = muiThemes[scheme];
      expect(palette.background).toEqual({ default: css.bg, paper: css.panel });
      expect(palette.text).toEqual({ primary: css.text, secondary: css.muted });
      expect(palette.primary).toEqual({ main: css.accent, contrastText: css['accent-text'] });
      expect([palette.success.main, palette.warning.main, palette.error.main, palette.divider]).toEqual([css.ok, css.busy, css.bad, css.border]);
      expect([palette.docker.blue[500], palette.docker.green[500], palette.docker.amber[500], palette.docker.red[500]]).toEqual([css.accent, css.ok, css.busy, css.bad]);
      expect(palette.docker.grey[50]).toBe(css.bg);
      expect(palette.docker.grey[900]).toBe(css.text);
    });

    it(`is what MUI's createTheme takes, keeping palette.docker for the page (${scheme})`, () => {
      const theme = createTheme(structuredClone(muiThemes[scheme]));
      expect(theme.palette.mode).toBe(scheme);
      expect(theme.palette.primary.main).toBe(muiThemes[scheme].palette.primary.main);
      expect(theme.palette.background.default).toBe(muiThemes[scheme].palette.background.default);
      expect(theme.palette).toHaveProperty('docker', muiThemes[scheme].palette.docker);
      expect(theme.shape.borderRadius).toBe(6);
    });
  }
});
