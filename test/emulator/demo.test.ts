import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_API_KEY, seedDemo } from "../../src/emulator/demo/seed";
import { type ServiceProcess, spawnService } from "../../src/emulator/serviceProcess";

describe("the demo program", () => {
  let dir: string;
  let service: ServiceProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "demo-"));
    // Embedded PGlite in a folder of its own, whatever DATABASE_URL the shell has (as npm start does).
    service = await spawnService({
      IMPORTER_DATA_DIR: dir,
      IMPORTER_CONFIG: "src/emulator/demo/program.json",
      DATABASE_URL: "",
    });
  }, 180_000);
  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) =>
    (
      await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${DEMO_API_KEY}` } })
    ).json() as Promise<any>;

  it("runs in a service process of its own and is seeded once, through the import API", async () => {
    expect(await seedDemo(service.url)).toBe(true);
    expect(await seedDemo(service.url)).toBe(false);
    expect((await get("/v1/partners")).data.map((p: { partner_key: string }) => p.partner_key)).toEqual([
      "agency",
      "northwind",
      "bluepeak",
      "brightpath",
    ]);
    expect((await get("/v1/customers")).data.map((c: { postal: string }) => c.postal)).toEqual([
      "02134",
      "M5V 2T6",
      "94107",
    ]);
  });

  it("has groups with leads and with deals, a lead form and deal stages", async () => {
    const { catalogue } = await get("/v1/objects");
    const groups = catalogue.groups.map((g: { key: string; features: string[] }) => [g.key, g.features]);
    expect(groups).toEqual([
      ["default", []],
      ["referral", ["leads"]],
      ["resellers", ["deals", "leads"]],
    ]);
    expect(catalogue.groups[1].lead_fields.map((f: { key: string }) => f.key)).toEqual([
      "company_size",
      "industry",
    ]);
    expect(catalogue.groups[2].deal_stages).toEqual(["Working", "Negotiation", "Closed won", "Closed lost"]);
  });
});
