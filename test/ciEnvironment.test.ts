import { existsSync } from "node:fs";

/** In CI nothing is skipped: the browser and the database the suites need must be there. */
const inCi = process.env.CI === "true";

(inCi ? describe : describe.skip)("the CI machine", () => {
  it("has Chromium for the end-to-end suites", () => {
    expect(existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium")).toBe(true);
  });

  it("names a PostgreSQL database for the service suites", () => {
    expect(process.env.DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
  });
});
