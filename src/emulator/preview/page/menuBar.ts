/** The menu bar: File, and Extensions with the menus the add-on's onOpen built, as Sheets shows them. */
import type { MenuEntry, MenuModel } from "../protocol";

export interface MenuBarActions {
  openCsv(): void;
  /** A click on an item of the add-on's menu: the function it names. */
  run(functionName: string): void;
  /** The menus closed: the page gives the keyboard back to the grid. */
  closed(): void;
}

type Item = { caption: string; run?: () => void; items?: Item[]; disabled?: boolean } | { separator: true };

interface OpenMenu {
  popup: HTMLElement;
  owner: HTMLElement;
}

export class MenuBar {
  #open: OpenMenu[] = [];

  constructor(
    readonly element: HTMLElement,
    readonly actions: MenuBarActions,
  ) {
    document.addEventListener("mousedown", (e) => {
      const target = e.target as Node;
      if (this.#open.length && !element.contains(target) && !this.#open.some((m) => m.popup.contains(target)))
        this.close();
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.#open.length) {
        e.preventDefault();
        this.close();
      }
    });
    window.addEventListener("blur", () => this.close());
  }

  /** Rebuilds the bar for the menus the add-on has added. */
  update(menus: MenuModel[]): void {
    const key = JSON.stringify(menus);
    if (this.element.dataset.menus === key) return;
    this.element.dataset.menus = key;
    this.close();
    const extensions = menus.filter((m) => m.placement === "extensions");
    const top: { caption: string; items: Item[] }[] = [
      { caption: "File", items: [{ caption: "Open CSV file", run: () => this.actions.openCsv() }] },
      {
        caption: "Extensions",
        items: extensions.length
          ? extensions.map((m) => ({ caption: m.title, items: this.#items(m.items) }))
          : [{ caption: "No add-on has added a menu", disabled: true }],
      },
      ...menus
        .filter((m) => m.placement === "menubar")
        .map((m) => ({ caption: m.title, items: this.#items(m.items) })),
    ];
    this.element.replaceChildren(
      ...top.map(({ caption, items }) => {
        const button = menuButton(caption, true);
        button.addEventListener("click", () => {
          if (this.#open[0]?.owner === button) this.close();
          else this.#openBelow(button, caption, items);
        });
        button.addEventListener("mouseenter", () => {
          if (this.#open.length && this.#open[0]?.owner !== button) this.#openBelow(button, caption, items);
        });
        button.addEventListener("keydown", (e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            this.#openBelow(button, caption, items);
            focusItem(this.#open[0]?.popup, 0);
          }
        });
        return button;
      }),
    );
  }

  close(): void {
    if (!this.#open.length) return;
    this.#closeFrom(0);
    this.actions.closed();
  }

  #items(entries: MenuEntry[]): Item[] {
    return entries.map((entry): Item => {
      if ("separator" in entry) return { separator: true };
      if ("items" in entry) return { caption: entry.caption, items: this.#items(entry.items) };
      return { caption: entry.caption, run: () => this.actions.run(entry.functionName) };
    });
  }

  #openBelow(button: HTMLElement, caption: string, items: Item[]): void {
    const box = button.getBoundingClientRect();
    this.#openAt(0, button, caption, items, box.left, box.bottom + 2);
  }

  #openAt(
    level: number,
    owner: HTMLElement,
    caption: string,
    items: Item[],
    left: number,
    top: number,
  ): void {
    this.#closeFrom(level);
    const popup = document.createElement("div");
    popup.className = "menu";
    popup.setAttribute("role", "menu");
    popup.setAttribute("aria-label", caption);
    for (const item of items) popup.append(this.#itemElement(item, level));
    popup.addEventListener("keydown", (e) => this.#onMenuKey(e, level));
    document.body.append(popup);
    popup.style.left = `${Math.max(0, Math.min(left, window.innerWidth - popup.offsetWidth - 4))}px`;
    popup.style.top = `${Math.max(0, Math.min(top, window.innerHeight - popup.offsetHeight - 4))}px`;
    owner.setAttribute("aria-expanded", "true");
    this.#open.push({ popup, owner });
  }

  #itemElement(item: Item, level: number): HTMLElement {
    if ("separator" in item) {
      const line = document.createElement("div");
      line.setAttribute("role", "separator");
      return line;
    }
    const button = menuButton(item.caption, Boolean(item.items));
    button.tabIndex = -1;
    if (item.items) {
      const arrow = document.createElement("span");
      arrow.className = "submenu-arrow";
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = "▸";
      button.append(arrow);
    }
    if (item.disabled) button.setAttribute("aria-disabled", "true");
    const openSubmenu = () => {
      if (!item.items || this.#open[level + 1]?.owner === button) return;
      const box = button.getBoundingClientRect();
      this.#openAt(level + 1, button, item.caption, item.items, box.right, box.top - 6);
    };
    button.addEventListener("mouseenter", () => {
      if (item.items) openSubmenu();
      else this.#closeFrom(level + 1);
    });
    button.addEventListener("click", () => {
      if (item.disabled) return;
      if (item.items) {
        openSubmenu();
        return;
      }
      this.close();
      item.run?.();
    });
    return button;
  }

  #onMenuKey(e: KeyboardEvent, level: number): void {
    const menu = this.#open[level];
    if (!menu) return;
    const items = [...menu.popup.querySelectorAll<HTMLElement>('[role="menuitem"]')];
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      focusItem(menu.popup, (index + step + items.length) % items.length);
    } else if (e.key === "ArrowRight" && items[index]?.getAttribute("aria-haspopup")) {
      e.preventDefault();
      items[index]?.click();
      focusItem(this.#open[level + 1]?.popup, 0);
    } else if (e.key === "ArrowLeft" && level > 0) {
      e.preventDefault();
      this.#closeFrom(level);
      menu.owner.focus();
    }
  }

  #closeFrom(level: number): void {
    for (const menu of this.#open.splice(level)) {
      menu.popup.remove();
      menu.owner.setAttribute("aria-expanded", "false");
    }
  }
}

function menuButton(caption: string, hasPopup: boolean): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.setAttribute("role", "menuitem");
  button.append(caption);
  if (hasPopup) {
    button.setAttribute("aria-haspopup", "menu");
    button.setAttribute("aria-expanded", "false");
  }
  return button;
}

function focusItem(popup: HTMLElement | undefined, index: number): void {
  popup?.querySelectorAll<HTMLElement>('[role="menuitem"]')[index]?.focus();
}
