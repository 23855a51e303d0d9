// Tiny DOM builders: elements from data with textContent only (no innerHTML: agent labels are untrusted).

/**
 * @typedef {string | number | boolean | null | undefined | ((event: Event) => void)} PropValue
 * @typedef {Node | string | null | undefined | false} Child
 */

/**
 * Creates an element. `class` sets the class name, `text` the text content, `on<event>` adds a
 * listener, `data-*` and `aria-*` and other names become attributes (true = present, false or
 * null or undefined = absent). Inline styles are never set here: the page's CSP forbids them in
 * markup; colours computed at run time go through `element.style` (CSSOM), which CSP allows.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, PropValue>} [props]
 * @param {readonly Child[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, children = []) {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Creates an SVG element (same props as `h`).
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, PropValue>} [props]
 * @param {readonly Child[]} [children]
 * @returns {SVGElementTagNameMap[K]}
 */
export function svg(tag, props = {}, children = []) {
  const el = /** @type {SVGElementTagNameMap[K]} */ (document.createElementNS(SVG_NS, tag));
  applyProps(el, props);
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Record<string, PropValue>} props
 */
function applyProps(el, props) {
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      el.setAttribute('class', String(value));
    } else if (name === 'text') {
      el.textContent = String(value);
    } else if (name === 'style') {
      throw new Error('inline style attributes are blocked by the CSP: use element.style');
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

/**
 * @param {Element} el
 * @param {readonly Child[]} children
 */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
}

/**
 * Replaces the content of `container`, keeping keyboard focus: if the focused element carried a
 * `data-key` inside the container, the new element with the same key gets the focus back, so a
 * live refresh does not throw a keyboard user back to the top of the page.
 * @param {Element} container
 * @param {readonly Child[]} children
 */
export function replaceKeepingFocus(container, children) {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.key : undefined;
  container.replaceChildren();
  append(container, children);
  if (key === undefined) return;
  for (const candidate of container.querySelectorAll('[data-key]')) {
    if (candidate instanceof HTMLElement && candidate.dataset.key === key) {
      candidate.focus({ preventScroll: true });
      return;
    }
  }
}

/**
 * A paragraph for an empty or unavailable section.
 * @param {string} text
 */
export function note(text) {
  return h('p', { class: 'note', text });
}
