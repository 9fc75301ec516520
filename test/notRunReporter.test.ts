import { join } from "node:path";

const { notRun } = require("./notRunReporter") as {
  notRun(
    results: { testResults: unknown[] },
    env: Record<string, string | undefined>,
    rootDir: string,
    exists: (path: string) => boolean,
  ): string;
};

const root = join(__dirname, "..");
const file = (name: string, statuses: string[]) => ({
  testFilePath: join(root, "test", name),
  testResults: statuses.map((status, i) => ({ status, title: `test ${i}`, ancestorTitles: ["the suite"] })),
});

describe("npm test's last words: what it did not run, and why", () => {
  it("names the PostgreSQL runs without DATABASE_URL, Chromium without a browser, and skipped tests", () => {
    const out = notRun(
      { testResults: [file("a.test.ts", ["passed"]), file("ciEnvironment.test.ts", ["pending", "pending"])] },
      { CHROMIUM_PATH: "/nowhere/chromium" },
      root,
      () => false,
    );
    expect(out).toMatch(/PostgreSQL: not run\. DATABASE_URL is not set/);
    expect(out).toMatch(/Chromium: not run\. There is no browser at \/nowhere\/chromium/);
    expect(out).toMatch(/test\/ciEnvironment\.test\.ts: 2 tests skipped \("the suite"\): .*CI=true/);
    expect(out).not.toMatch(/a\.test\.ts/);
  });

  it("says that everything ran when it did", () => {
    const out = notRun(
      { testResults: [file("a.test.ts", ["passed", "failed"])] },
      { DATABASE_URL: "postgresql://x/test" },
      root,
      () => true,
    );
    expect(out).toMatch(/^\nEverything ran/);
  });
});
