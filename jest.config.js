/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // A service test starts PGlite (or a PostgreSQL schema) per test: seconds, on a busy machine.
  testTimeout: 30_000,
  transform: { "^.+\\.(ts|js)$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  // ESM-only packages the service's dependencies require: turned into CommonJS for jest on Node 20.
  transformIgnorePatterns: ["/node_modules/(?!(content-disposition|cookie)/)(?!.*/node_modules/)"],
  // Add-on tests load dist/addon, never the sources: build it once before any test runs.
  globalSetup: "<rootDir>/test/globalSetup.ts",
  // The run ends by saying what it did not run and why (no database, no browser, skipped tests).
  reporters: ["default", "<rootDir>/test/notRunReporter.js"],
};
