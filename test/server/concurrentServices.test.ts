import { engines, KEYS } from "./harness";
import {
  killService,
  type ServiceProcess,
  type ServiceStore,
  serviceStore,
  startServiceProcess,
} from "./serviceProcess";

/**
 * Two service processes on one PostgreSQL database, as two replicas behind a load balancer, take 20
 * imports at once, several of them creating the same new keys. PGlite is one process's database, so
 * this runs on PostgreSQL only.
 */
const onPostgres = engines().includes("postgres") ? describe : describe.skip;

interface Kind {
  object: string;
  table: string;
  keyColumn: string;
  headers: string[];
  options?: Record<string, unknown>;
  /** A row for a key; `i` is the import it is in, so that imports differ in what they write. */
  row(key: string, i: number): unknown[];
}

const PARTNERS: Kind = {
  object: "partners",
  table: "partners",
  keyColumn: "key",
  headers: ["partner_email", "partner_key", "territory", "tags"],
  row: (key, i) => [`${key}@example.com`, key, i % 2 ? "North" : "South", `from${i}`],
};
const KINDS: Kind[] = [
  PARTNERS,
  {
    object: "customers",
    table: "customers",
    keyColumn: "key",
    headers: ["email", "customer_key", "name", "partner_key"],
    row: (key, i) => [`${key}@example.com`, key, `Customer ${i}`, "rex"],
  },
  {
    object: "deals",
    table: "deals",
    keyColumn: "external_key",
    headers: ["external_key", "amount", "close_date", "stage", "partner_key"],
    options: { group_key: "resellers" },
    row: (key, i) => [key, 1000 + i, "2026-12-01", "Working", "rex"],
  },
  {
    object: "leads",
    table: "leads",
    keyColumn: "external_key",
    headers: ["partner_key", "email", "first_name", "last_name", "external_key", "company_size"],
    options: { group_key: "referral" },
    row: (key, i) => ["rex", `${key}@example.com`, "Joe", `Kirby ${i}`, key, 10 + i],
  },
];
const IMPORTS_PER_KIND = 5;
/** Keys every import of a kind creates, and one more that only its import has. */
const SHARED = 6;
const CHUNK = 4;

const headers = { authorization: `Bearer ${KEYS.admin}`, "content-type": "application/json" };

async function call(service: ServiceProcess, method: string, path: string, body?: unknown) {
  const r = await fetch(`${service.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, text, body: JSON.parse(text) };
}

interface Sent {
  kind: Kind;
  rows: number;
  statuses: number[];
  results: { row: number; outcome: string; object_key: string | null }[];
  counts: { rows: number; created: number; updated: number; skipped: number } | null;
}

/** The keys of a kind's import `i`: the shared ones, and its own. */
const keysOf = (kind: Kind, i: number) => [
  ...Array.from({ length: SHARED }, (_, k) => `${kind.object}-${k}`),
  `${kind.object}-only${i}`,
];

/** One import, start to complete, through one service; its rows in shuffled order, in chunks. */
async function runImport(
  service: ServiceProcess,
  kind: Kind,
  i: number,
  keys = keysOf(kind, i),
): Promise<Sent> {
  const rows = keys.sort(() => Math.random() - 0.5).map((key) => kind.row(key, i));
  const sent: Sent = { kind, rows: rows.length, statuses: [], results: [], counts: null };
  const started = await call(service, "POST", "/v1/imports", {
    object: kind.object,
    options: kind.options ?? {},
    headers: kind.headers,
    total_rows: rows.length,
  });
  sent.statuses.push(started.status);
  if (started.status !== 201) return sent;
  const id = started.body.id as string;
  for (let seq = 0; seq * CHUNK < rows.length; seq++) {
    const chunk = rows
      .slice(seq * CHUNK, (seq + 1) * CHUNK)
      .map((cells, r) => ({ row: seq * CHUNK + r + 2, cells }));
    const r = await call(service, "PUT", `/v1/imports/${id}/chunks/${seq}`, { rows: chunk });
    sent.statuses.push(r.status);
    if (r.status !== 200) return sent;
    sent.results.push(...r.body.results);
  }
  const completed = await call(service, "POST", `/v1/imports/${id}/complete`, {});
  sent.statuses.push(completed.status);
  sent.counts = completed.body.counts ?? null;
  return sent;
}

onPostgres("two service processes on one database (postgres)", () => {
  let store: ServiceStore;
  const running: ServiceProcess[] = [];
  beforeAll(async () => {
    store = await serviceStore("postgres");
    // One after the other: the first migrates the database, the second finds it ready.
    for (const name of ["importer-a", "importer-b"]) running.push(await startServiceProcess(store.env(name)));
  }, 300_000);
  afterAll(async () => {
    await Promise.all(running.splice(0).map((s) => killService(s)));
    await store?.remove();
  }, 120_000);

  it("20 imports at once, split across both, several creating the same new keys: no 5xx, each key created once and stored once, counts that add up", async () => {
    const [a, b] = running as [ServiceProcess, ServiceProcess];
    const rex = await runImport(a, PARTNERS, 0, ["rex"]);
    expect(rex.statuses).toEqual([201, 200, 200]);

    const sent = await Promise.all(
      KINDS.flatMap((kind, k) =>
        Array.from({ length: IMPORTS_PER_KIND }, (_, i) => runImport((i + k) % 2 ? b : a, kind, i)),
      ),
    );
    expect(sent).toHaveLength(20);
    expect(sent.flatMap((s) => s.statuses).filter((status) => status >= 500)).toEqual([]);
    expect(sent.flatMap((s) => s.statuses).filter((status) => status >= 300)).toEqual([]);

    const db = await store.open();
    try {
      for (const kind of KINDS) {
        const mine = sent.filter((s) => s.kind === kind);
        for (const s of mine) {
          expect(s.results).toHaveLength(s.rows);
          const c = s.counts as NonNullable<Sent["counts"]>;
          expect(c.created + c.updated + c.skipped).toBe(c.rows);
          expect(c.rows).toBe(s.rows);
          expect(c.skipped).toBe(0);
        }
        // Every key created by exactly one import, and updated by every other that has it.
        const outcomes = new Map<string, string[]>();
        for (const r of mine.flatMap((s) => s.results))
          outcomes.set(r.object_key as string, [...(outcomes.get(r.object_key as string) ?? []), r.outcome]);
        expect(outcomes.size).toBe(SHARED + IMPORTS_PER_KIND);
        for (const [key, seen] of outcomes)
          expect([key, seen.filter((o) => o === "created").length, seen.length]).toEqual([
            key,
            1,
            key.includes("-only") ? 1 : IMPORTS_PER_KIND,
          ]);
        // Stored once each.
        const { rows } = await db.query<{ n: number; keys: number }>(
          `SELECT count(*)::int AS n, count(DISTINCT ${kind.keyColumn})::int AS keys FROM ${kind.table}
           WHERE ${kind.keyColumn} LIKE $1`,
          [`${kind.object}-%`],
        );
        expect({ object: kind.object, ...rows[0] }).toEqual({
          object: kind.object,
          n: SHARED + IMPORTS_PER_KIND,
          keys: SHARED + IMPORTS_PER_KIND,
        });
      }
      const { rows: imports } = await db.query<{ bad: number }>(
        `SELECT count(*)::int AS bad FROM imports
         WHERE status <> 'completed' OR rows <> total_rows OR created + updated + skipped <> rows`,
      );
      expect(imports[0]?.bad).toBe(0);
    } finally {
      await db.close();
    }
  }, 300_000);
});
