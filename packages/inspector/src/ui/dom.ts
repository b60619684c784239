/**
 * The only way the inspector builds DOM. Run content is hostile (model output and tool results are
 * attacker-controlled), so:
 * - text goes in as text nodes (`append(string)`), never as HTML: nothing here parses markup;
 * - attributes that can load or run something (`href`, `src`, `srcdoc`, `style`, `on*` strings,
 *   `formaction`…) are refused outright: no link or style is ever built from content;
 * - every string shown passes `inert()` first, so terminal escapes and bidi tricks are visible
 *   characters, not effects.
 */
import { inert } from './inert-text.ts';

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

const REFUSED = /^(on|href$|src$|srcdoc$|style$|formaction$|action$|xlink:href$|data$|poster$|background$)/i;

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      if (!name.startsWith('on')) throw new Error(`[@cairn/inspector] attribute ${name} cannot take a function`);
      element.addEventListener(name.slice(2), value);
    } else if (REFUSED.test(name)) throw new Error(`[@cairn/inspector] attribute ${name} is never set by the inspector`);
    else element.setAttribute(name, value === true ? '' : inert(String(value)));
  }
}

function appendChildren(element: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : inert(String(child)));
  }
}

/** `h('button', { class: 'primary', onclick: go }, 'Start')`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  appendChildren(element, children);
  return element;
}

/** An SVG element (charts), with the same rules. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttributes(element, attributes);
  appendChildren(element, children);
  return element;
}
