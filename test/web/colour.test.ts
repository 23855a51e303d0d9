// Colour arithmetic (WCAG contrast, ink choice, heatmap scale) and the contrast of the page's own themes.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contrastRatio, heatColour, inkFor, mix, parseHex, relativeLuminance, toHex, type Rgb } from '../../src/web/colour.js';
import { STATUSES } from '../../src/web/format.js';

const rgb = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }));

describe('WCAG contrast', () => {
  it.each([
    ['#000000', '#ffffff', 21],
    ['#ffffff', '#ffffff', 1],
    // Reference values from the WebAIM contrast checker.
    ['#777777', '#ffffff', 4.48],
    ['#0b5cad', '#ffffff', 6.63],
    ['#d55e00', '#000000', 5.43],
  ])('%s on %s is %s:1', (a, b, ratio) => {
    expect(contrastRatio(parseHex(a) as Rgb, parseHex(b) as Rgb)).toBeCloseTo(ratio, 1);
  });

  it('is symmetric and within [1, 21]', () => {
    fc.assert(
      fc.property(rgb, rgb, (a, b) => {
        const r = contrastRatio(a, b);
        return r >= 1 && r <= 21 + 1e-9 && Math.abs(r - contrastRatio(b, a)) < 1e-12;
      }),
    );
  });

  it('gives luminance 0 to black and 1 to white', () => {
    expect(relativeLuminance([0, 0, 0])).toBe(0);
    expect(relativeLuminance([255, 255, 255])).toBeCloseTo(1, 12);
  });

  it('always finds an ink with at least 4.5:1 on any background', () => {
    fc.assert(fc.property(rgb, (background) => contrastRatio(inkFor(background), background) >= 4.5));
  });
});

describe('hex colours', () => {
  it.each([
    ['#fff', [255, 255, 255]],
    [' #0072B2 ', [0, 114, 178]],
    ['0072b2', [0, 114, 178]],
  ])('parses %j', (text, expected) => {
    expect(parseHex(text)).toEqual(expected);
  });

  it.each([['#12345'], ['red'], ['#0072b2cc'], ['']])('refuses %j', (text) => {
    expect(parseHex(text)).toBeUndefined();
  });

  it('round-trips and clamps', () => {
    expect(toHex([0, 114, 178])).toBe('#0072b2');
    expect(toHex([-5, 300, 127.6])).toBe('#00ff80');
  });

  it('mixes linearly with t clamped to [0, 1]', () => {
    expect(mix([0, 0, 0], [200, 100, 50], 0.5)).toEqual([100, 50, 25]);
    expect(mix([0, 0, 0], [200, 100, 50], 2)).toEqual([200, 100, 50]);
  });
});

describe('heatmap scale', () => {
  const scale = { negative: [33, 102, 172] as Rgb, neutral: [247, 247, 247] as Rgb, positive: [179, 88, 6] as Rgb };

  it.each([
    [-1, '#2166ac'],
    [0, '#f7f7f7'],
    [1, '#b35806'],
    [5, '#b35806'],
    [null, '#f7f7f7'],
    [Number.NaN, '#f7f7f7'],
  ])('colours r = %s as %s', (r, background) => {
    expect(heatColour(r, scale).background).toBe(background);
  });
});

/** Custom properties of the light `:root` block and of the dark one inside `prefers-color-scheme: dark`. */
function themes(): { light: Map<string, string>; dark: Map<string, string> } {
  const css = readFileSync(new URL('../../src/web/app.css', import.meta.url), 'utf8');
  const properties = (block: string): Map<string, string> =>
    new Map([...block.matchAll(/(--[a-z0-9-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1] as string, (m[2] as string).trim()]));
  const lightBlock = /^:root\s*\{([^}]*)\}/m.exec(css)?.[1];
  const darkBlock = /@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{([^}]*)\}/.exec(css)?.[1];
  if (lightBlock === undefined || darkBlock === undefined) throw new Error('app.css: theme blocks not found');
  const light = properties(lightBlock);
  // The dark theme overrides some properties and inherits the rest.
  return { light, dark: new Map([...light, ...properties(darkBlock)]) };
}

describe('theme contrast (WCAG AA, 4.5:1 for text)', () => {
  const { light, dark } = themes();
  const colour = (theme: Map<string, string>, name: string): Rgb => {
    const value = parseHex(theme.get(name) ?? '');
    if (value === undefined) throw new Error(`app.css: ${name} is not a #rrggbb colour: ${String(theme.get(name))}`);
    return value;
  };

  const textPairs = [
    ['--ink', '--surface'],
    ['--ink', '--bg'],
    ['--ink-muted', '--surface'],
    ['--ink-muted', '--bg'],
    ['--link', '--surface'],
    ['--link', '--bg'],
    ...STATUSES.map((s) => [`--st-${s.key}-ink`, `--st-${s.key}`]),
  ];

  for (const [name, theme] of [
    ['light', light],
    ['dark', dark],
  ] as const) {
    it.each(textPairs)(`${name}: %s on %s`, (ink, background) => {
      expect(contrastRatio(colour(theme, ink), colour(theme, background))).toBeGreaterThanOrEqual(4.5);
    });

    it(`${name}: every heatmap cell text has 4.5:1 on its cell`, () => {
      const scale = {
        negative: colour(theme, '--heat-negative'),
        neutral: colour(theme, '--heat-neutral'),
        positive: colour(theme, '--heat-positive'),
      };
      for (let r = -1; r <= 1.0001; r += 0.05) {
        const cell = heatColour(r, scale);
        expect(contrastRatio(parseHex(cell.ink) as Rgb, parseHex(cell.background) as Rgb)).toBeGreaterThanOrEqual(4.5);
      }
    });

    it(`${name}: the focus ring stands out from the surface (3:1, non-text contrast)`, () => {
      expect(contrastRatio(colour(theme, '--focus'), colour(theme, '--surface'))).toBeGreaterThanOrEqual(3);
    });
  }

  it('gives each status a distinct colour in both themes', () => {
    for (const theme of [light, dark]) {
      const colours = STATUSES.map((s) => theme.get(`--st-${s.key}`));
      expect(new Set(colours).size).toBe(colours.length);
    }
  });
});
