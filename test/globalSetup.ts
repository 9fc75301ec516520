import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** Builds dist/addon once, as the preview does, so every test loads the bundle that ships. */
export default function buildAddon(): void {
  const root = join(__dirname, "..");
  try {
    execFileSync(process.execPath, [join(root, "build.mjs"), "--preview"], { cwd: root, stdio: "pipe" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run build failed before the tests:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}
