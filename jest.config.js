/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  // Add-on tests load dist/addon, never the sources: build it once before any test runs.
  globalSetup: "<rootDir>/test/globalSetup.ts",
};
