// @ts-check
const { existsSync } = require("node:fs");
const { relative } = require("node:path");

/**
 * What a run did not run, and why: the PostgreSQL runs of the service suites without DATABASE_URL,
 * the Chromium suites without a browser, and any test skipped.
 * @param {Pick<import('@jest/reporters').AggregatedResult, 'testResults'>} results
 * @param {NodeJS.ProcessEnv} env
 * @param {string} rootDir
 * @param {(path: string) => boolean} exists
 */
function notRun(results, env, rootDir, exists = existsSync) {
  const lines = [];
  if (!env.DATABASE_URL)
    lines.push(
      "PostgreSQL: not run. DATABASE_URL is not set, so the service suites ran on PGlite only; set it (postgresql://…) to run them on PostgreSQL too.",
    );
  const chromium = env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!exists(chromium))
    lines.push(
      `Chromium: not run. There is no browser at ${chromium}; install Debian's chromium or set CHROMIUM_PATH.`,
    );
  for (const file of results.testResults) {
    const skipped = file.testResults.filter((t) => t.status === "pending" || t.status === "skipped");
    if (!skipped.length) continue;
    const suites = [...new Set(skipped.map((t) => t.ancestorTitles[0] ?? t.title))];
    const why = file.testFilePath.endsWith("ciEnvironment.test.ts")
      ? ": they check the CI machine, and run with CI=true"
      : "";
    lines.push(
      `${relative(rootDir, file.testFilePath)}: ${skipped.length} test${skipped.length === 1 ? "" : "s"} skipped (${suites.map((s) => `"${s}"`).join(", ")})${why}.`,
    );
  }
  return lines.length
    ? `\nNot run in this run, and why:\n${lines.map((l) => `- ${l}`).join("\n")}\n`
    : "\nEverything ran: the PostgreSQL and PGlite runs of the service suites and the Chromium suites; no test was skipped.\n";
}

/**
 * Ends `npm test` by saying what it did not run and why. In CI nothing may be skipped
 * (test/ciEnvironment.test.ts fails instead), so there it says that everything ran.
 */
class NotRunReporter {
  /** @param {import('@jest/reporters').Config.GlobalConfig} globalConfig */
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  /** @param {unknown} _contexts @param {import('@jest/reporters').AggregatedResult} results */
  onRunComplete(_contexts, results) {
    const out = notRun(results, process.env, this.rootDir);
    // After jest's own summary, which its last reporter prints: the run's very last words.
    process.once("exit", () => process.stderr.write(out));
  }
}

module.exports = NotRunReporter;
module.exports.notRun = notRun;
