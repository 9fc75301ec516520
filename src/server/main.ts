import { readSettings } from "./settings";
import { startService } from "./start";

/** `npm run server`: the importer service, with the settings in the environment. */
async function main() {
  const settings = readSettings();
  const { app, url, db } = await startService(settings);
  console.log(
    `Channel Importer service on ${url} (${db.kind === "pglite" ? `PGlite in ${settings.IMPORTER_DATA_DIR}` : "PostgreSQL"})`,
  );
  console.log(`API described at ${url}/docs and ${url}/v1/openapi.json`);
  const stop = () => app.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
