import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The demo program's key for local setups (also in program.json). */
export const DEMO_API_KEY = "demo-admin-key-for-the-local-preview";

/** Imports the demo partners and customers through the API, once: when the program has no partners yet. */
export async function seedDemo(serviceUrl: string, key = DEMO_API_KEY): Promise<boolean> {
  const headers = { authorization: `Bearer ${key}` };
  const existing = await fetch(`${serviceUrl}/v1/partners?limit=1`, { headers });
  if (!existing.ok)
    throw new Error(`The demo program is not reachable: ${existing.status} ${await existing.text()}`);
  if (((await existing.json()) as { data: unknown[] }).data.length) return false;
  for (const object of ["partners", "customers"]) {
    const csv = readFileSync(join(__dirname, `${object}.csv`), "utf8");
    const response = await fetch(`${serviceUrl}/v1/import/${object}`, {
      method: "POST",
      headers: { ...headers, "content-type": "text/csv" },
      body: csv,
    });
    if (!response.ok)
      throw new Error(`Seeding the demo ${object} failed: ${response.status} ${await response.text()}`);
  }
  return true;
}
