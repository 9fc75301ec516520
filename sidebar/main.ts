/** The importer sidebar page: finds its controls and wires them. */

function requireElement<T extends Element>(selector: string): T {
  const element = document.querySelector<T>(selector);
  if (!element) throw new Error(`Sidebar.html has no ${selector}`);
  return element;
}

const objectType = requireElement<HTMLSelectElement>("#object-type");

// Later parts of the page (headers, checks, import) read the chosen object from here.
function markObjectType(): void {
  document.body.dataset.objectType = objectType.value;
}

objectType.addEventListener("change", markObjectType);
markObjectType();
