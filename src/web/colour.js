// Pure colour arithmetic for the status page: WCAG 2 contrast, ink choice, diverging heatmap colours.

/**
 * @typedef {readonly [number, number, number]} Rgb  channels 0..255
 */

/**
 * Parses "#rgb" or "#rrggbb" (surrounding whitespace allowed, as CSS custom properties carry it).
 * @param {string} text
 * @returns {Rgb | undefined}
 */
export function parseHex(text) {
  const hex = text.trim().replace(/^#/, '');
  if (/^[0-9a-f]{3}$/i.test(hex)) {
    const [r = '0', g = '0', b = '0'] = hex;
    return [parseInt(r + r, 16), parseInt(g + g, 16), parseInt(b + b, 16)];
  }
  if (/^[0-9a-f]{6}$/i.test(hex)) {
    return [parseInt(hex.slice(0, 2), 16), parseInt(hex.slice(2, 4), 16), parseInt(hex.slice(4, 6), 16)];
  }
  return undefined;
}

/**
 * @param {Rgb} rgb
 * @returns {string} "#rrggbb"
 */
export function toHex(rgb) {
  return `#${rgb
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/**
 * Relative luminance in [0, 1] (WCAG 2.2, "relative luminance" definition, sRGB).
 * @param {Rgb} rgb
 */
export function relativeLuminance(rgb) {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

/**
 * WCAG 2 contrast ratio in [1, 21] between two colours. Text needs >= 4.5 (AA), large text >= 3.
 * @param {Rgb} a
 * @param {Rgb} b
 */
export function contrastRatio(a, b) {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

const BLACK = /** @type {Rgb} */ ([0, 0, 0]);
const WHITE = /** @type {Rgb} */ ([255, 255, 255]);

/**
 * The ink (near-black or white) with the higher contrast on `background`. Whatever the
 * background, the better of the two reaches at least 4.58:1.
 * @param {Rgb} background
 * @returns {Rgb}
 */
export function inkFor(background) {
  return contrastRatio(background, BLACK) >= contrastRatio(background, WHITE) ? BLACK : WHITE;
}

/**
 * Linear mix of two colours, t in [0, 1] (0 = a).
 * @param {Rgb} a
 * @param {Rgb} b
 * @param {number} t
 * @returns {Rgb}
 */
export function mix(a, b, t) {
  const u = Math.min(1, Math.max(0, t));
  return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
}

/**
 * Cell colours of a correlation heatmap on a diverging scale: `neutral` at r = 0, `negative` at
 * r = -1, `positive` at r = +1 (a blue/orange pair stays distinguishable with colour-vision
 * deficiencies). The ink is chosen for contrast. Undefined r (null, NaN) gets the neutral colour.
 * @param {number | null} r
 * @param {{ negative: Rgb, neutral: Rgb, positive: Rgb }} scale
 * @returns {{ background: string, ink: string }}
 */
export function heatColour(r, scale) {
  const value = typeof r === 'number' && Number.isFinite(r) ? Math.max(-1, Math.min(1, r)) : 0;
  const background = value < 0 ? mix(scale.neutral, scale.negative, -value) : mix(scale.neutral, scale.positive, value);
  return { background: toHex(background), ink: toHex(inkFor(background)) };
}
