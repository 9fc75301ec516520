import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import { engines, importRows, KEYS, startTestService, type TestService } from "./harness";

const CURL = ["/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl"].find((path) => existsSync(path));

/**
 * Issue 13's calls as a script makes them: the real curl against a listening service: an upload's dry run
 * in a mode, with the changes it would make in its CSV report; a start that retries another import's
 * skipped rows; an undo's dry run, then the undo.
 */
describe.each(engines())("modes, changes, retry_of and undo with curl (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  });
  afterEach(() => s.close());

  const H = ["partner_email", "partner_key", "first_name", "territory"];

  it("documents the undo in /v1/openapi.json: dry_run, the summary, its errors", async () => {
    const doc = (await s.call("GET", "/v1/openapi.json", { key: null })).body;
    const undo = doc.paths["/v1/imports/{id}/undo"].post;
    expect(undo.parameters.map((p: { name: string }) => p.name).sort()).toEqual(["dry_run", "id"]);
    expect(Object.keys(undo.responses).sort()).toEqual(["200", "403", "404", "409"]);
    const answer = undo.responses["200"].content["application/json"].schema;
    expect(answer.properties.undo.required).toEqual(
      expect.arrayContaining(["removed", "restored", "refused", "invites_sent", "invites_withdrawn"]),
    );
    expect(undo.responses["409"].description).toMatch(/import_open.*already_undone.*dry_run_import/);
  });

  (CURL ? it : it.skip)(
    "curl can dry-run an undo, then undo",
    async () => {
      await importRows(s, "partners", H, [["ada@example.com", "ada", "Ada", "North"]]);
      const second = await importRows(s, "partners", H, [
        ["", "ada", "Augusta", ""],
        ["bob@example.com", "bob", "Bob", "South"],
      ]);
      const address = await s.app.listen({ port: 0, host: "127.0.0.1" });
      const url = `${address}/v1/imports/${second.id}/undo`;
      const auth = ["-H", `Authorization: Bearer ${KEYS.admin}`];

      const dry = JSON.parse((await curl([...auth, "-X", "POST", `${url}?dry_run=true`])).stdout);
      expect(dry.undo).toMatchObject({ dry_run: true, removed: 1, restored: 1, refused: [] });
      const dryByBody = JSON.parse(
        (await curl([...auth, "-H", "Content-Type: application/json", "--data", '{"dry_run": true}', url]))
          .stdout,
      );
      expect(dryByBody.undo).toMatchObject({ dry_run: true, removed: 1, restored: 1 });
      expect((await s.call("GET", "/v1/partners?key=bob")).body.data).toHaveLength(1);

      const done = JSON.parse((await curl([...auth, "-X", "POST", url])).stdout);
      expect(done.import.status).toBe("undone");
      expect(done.undo).toMatchObject({ dry_run: false, removed: 1, restored: 1, refused: [] });
      expect((await s.call("GET", "/v1/partners?key=bob")).body.data).toEqual([]);
      expect((await s.call("GET", "/v1/partners?key=ada")).body.data[0]).toMatchObject({ first_name: "Ada" });

      const again = await curl([...auth, "-X", "POST", url], { fails: true });
      expect(JSON.parse(again.stdout).error.code).toBe("already_undone");
    },
    60_000,
  );

  it("curl can dry-run an upload in a mode, read what it would change, and start an import that retries another", async () => {
    if (!CURL) throw new Error("curl is not installed");
    await importRows(s, "partners", H, [["ada@example.com", "ada", "Ada", "North"]]);
    const address = await s.app.listen({ port: 0, host: "127.0.0.1" });
    const auth = ["-H", `Authorization: Bearer ${KEYS.admin}`];
    const dir = mkdtempSync(join(tmpdir(), "curl-"));
    try {
      const file = join(dir, "partners.csv");
      writeFileSync(
        file,
        "partner_email,partner_key,first_name\nada@new.example.com,ada,Augusta\nzed@example.com,zed,Zed\n",
      );
      const upload = JSON.parse(
        (
          await curl([
            ...auth,
            "-F",
            "mode=update_only",
            "-F",
            `file=@${file}`,
            `${address}/v1/import/partners?dry_run=true`,
          ])
        ).stdout,
      );
      expect(upload.options).toMatchObject({ mode: "update_only", dry_run: true });
      expect(upload.counts).toMatchObject({ updated: 1, skipped: 1, created: 0 });
      const report = (await curl([...auth, `${address}/v1/imports/${upload.id}/report?format=csv`])).stdout;
      const lines = parse(report, { columns: true }) as Record<string, string>[];
      expect(lines.map((l) => [l.row, l.outcome, l.codes])).toEqual([
        ["2", "updated", "email_changed"],
        ["3", "skipped", "excluded_by_mode"],
      ]);
      expect(lines[0]?.messages?.split("\n").slice(1)).toEqual([
        'partner_email: "ada@example.com" → "ada@new.example.com"',
        'first_name: "Ada" → "Augusta"',
      ]);
      expect(lines[1]?.messages).toMatch(/"zed".*this import only updates \(Update only\)/);
      // Nothing was written: a dry run.
      expect((await s.call("GET", "/v1/partners?key=ada")).body.data[0]).toMatchObject({ first_name: "Ada" });

      const retry = JSON.parse(
        (
          await curl([
            ...auth,
            "-H",
            "Content-Type: application/json",
            "--data",
            JSON.stringify({ object: "partners", headers: H, total_rows: 1, retry_of: upload.id }),
            `${address}/v1/imports`,
          ])
        ).stdout,
      );
      expect(retry.retry_of).toBe(upload.id);
      const wrong = await curl(
        [
          ...auth,
          "-H",
          "Content-Type: application/json",
          "--data",
          JSON.stringify({ object: "customers", headers: ["customer_key"], retry_of: upload.id }),
          `${address}/v1/imports`,
        ],
        { fails: true },
      );
      expect(JSON.parse(wrong.stdout).error.code).toBe("invalid_retry_of");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** Runs curl; an answer other than expected fails the test with what curl printed. */
async function curl(args: string[], { fails = false } = {}): Promise<{ stdout: string }> {
  try {
    const result = await promisify(execFile)(
      CURL as string,
      ["--silent", "--show-error", "--fail-with-body", ...args],
      { timeout: 60_000 },
    );
    if (fails) throw new Error(`curl ${args.at(-1)} succeeded: ${result.stdout}`);
    return result;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    if (fails && stdout) return { stdout };
    throw new Error(`curl ${args.at(-1)} failed: ${stderr ?? ""}${stdout ?? ""}`);
  }
}
