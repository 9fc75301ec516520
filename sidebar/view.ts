/** Small pieces for building the page: finding elements, making them, and wording numbers. */

export function requireElement<T extends HTMLElement>(selector: string): T {
  const element = document.querySelector<T>(selector);
  if (!element) throw new Error(`Sidebar.html has no ${selector}`);
  return element;
}

/** Something to put in an element; null, false and undefined are left out, so parts can be optional. */
export type Child = Node | string | null | false | undefined;

/** An element with a class (optional) and children; strings become text, never HTML. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  if (className) made.className = className;
  for (const child of children) if (child) made.append(child);
  return made;
}

/** Replaces what `target` holds with `children`. */
export function fill(target: HTMLElement, ...children: Child[]): void {
  target.replaceChildren(...children.filter((child): child is Node | string => Boolean(child)));
}

export function showElement(target: HTMLElement, shown: boolean): void {
  target.hidden = !shown;
}

const numbers = new Intl.NumberFormat("en-US");
const dollars = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

/** 20000 → "20,000". */
export function formatCount(count: number): string {
  return numbers.format(count);
}

/** 1 row / 3 rows. */
export function countOf(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

export function formatUsdCents(cents: number): string {
  return dollars.format(cents / 100);
}
