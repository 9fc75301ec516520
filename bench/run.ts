import { benchAddon } from "./addon";
import { benchCore } from "./core";
import { type Figure, printFigures } from "./measure";
import { benchServer } from "./server";

/** `npm run bench [-- suite…]`: each figure beside a baseline measured in the same run. */
const suites: Record<string, () => Promise<Figure[]>> = {
  core: benchCore,
  server: benchServer,
  addon: benchAddon,
};

async function main() {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((s) => !(s in suites));
  if (unknown.length) {
    console.error(
      `Unknown bench suite ${unknown.join(", ")}; the suites are: ${Object.keys(suites).join(", ")}`,
    );
    process.exit(2);
  }
  for (const name of asked.length ? asked : Object.keys(suites)) {
    console.log(`# ${name}`);
    printFigures(await (suites[name] as () => Promise<Figure[]>)());
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
