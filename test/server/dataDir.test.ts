import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { readSettings } from "../../src/server/settings";
import { startService } from "../../src/server/start";

// Each service start opens PGlite on a folder and migrates it: tens of seconds on a busy machine.
jest.setTimeout(240_000);

/** The folder and what it holds whose mode is not private: folders 0700, files 0600. */
function notPrivate(dir: string): string[] {
  const found: string[] = [];
  const check = (path: string, isDir: boolean) => {
    const mode = statSync(path).mode & 0o777;
    if (mode !== (isDir ? 0o700 : 0o600)) found.push(`${path.slice(dir.length) || "/"} ${mode.toString(8)}`);
  };
  check(dir, true);
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      check(path, entry.isDirectory());
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return found;
}

describe("PGlite's data directory", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "importer-datadir-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts the service on the folder, checks it while running and once stopped. */
  async function expectPrivateAround(dataDir: string) {
    const { app } = await startService(readSettings({ PORT: "0", IMPORTER_DATA_DIR: dataDir }), {
      logger: false,
    });
    try {
      expect(notPrivate(dataDir)).toEqual([]);
    } finally {
      await app.close();
    }
    expect(notPrivate(dataDir)).toEqual([]);
  }

  it("is made 0700 with files 0600 by the service, though PGlite writes them 0666", async () => {
    const dataDir = join(dir, "new");
    await expectPrivateAround(dataDir);
  });

  it("is made private when it was left open, by PGlite alone or an earlier version", async () => {
    const dataDir = join(dir, "earlier");
    const earlier = await PGlite.create(dataDir);
    await earlier.close();
    chmodSync(dataDir, 0o755);
    expect(notPrivate(dataDir).length).toBeGreaterThan(100);
    await expectPrivateAround(dataDir);
  });
});
