import { engines, importRows, multipart, startTestService, type TestService } from "./harness";

/** A CRM export: a title line above its own headers, a column nobody wants imported. */
const MAPPING = {
  Email: "partner_email",
  "Partner Key": "partner_key",
  Joined: "partner_joined_date",
  Region: "territory",
  Notes: null,
};
const HEADERS = ["Email", "Partner Key", "Joined", "Region", "Notes"];
const ROWS = [
  ["ada@example.com", "ada", "2026-03-18", "North", "secret-note-ada"],
  ["bryn@example.com", "bryn", "2025-11-02", "South", "secret-note-bryn"],
];
const line = (cells: readonly string[]) => cells.join(",");
const CRM_EXPORT = `Acme CRM export,,,,\n${[HEADERS, ...ROWS].map(line).join("\n")}\n`;
const MAPPING_JSON = JSON.stringify(MAPPING);

describe.each(engines())("import options: mapping, header_row, normalise (%s)", (engine) => {
  let s: TestService;
  beforeEach(async () => {
    s = await startTestService(engine);
  }, 30_000);
  afterEach(() => s.close());

  const upload = (csv: string, fields: [string, string][] = [], query = "") =>
    s.call("POST", `/v1/import/partners${query}`, multipart(csv, "crm-export.csv", { before: fields }));
  const count = async (table: "imports" | "partners" | "import_staging") =>
    (await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n;
  const partners = async (service = s) =>
    ((await service.call("GET", "/v1/partners?limit=50")).body.data as Record<string, unknown>[])
      .map(({ partner_key, partner_email, partner_joined_date, first_name, fields }) => ({
        partner_key,
        partner_email,
        partner_joined_date,
        first_name,
        fields,
      }))
      .sort((a, b) => String(a.partner_key).localeCompare(String(b.partner_key)));
  /** Every table of the service's schema whose rows hold `needle` anywhere, as text. */
  const tablesHolding = async (needle: string) => {
    const { rows: tables } = await s.db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    const found: string[] = [];
    for (const { name } of tables) {
      const { rows } = await s.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${name}" t WHERE t::text LIKE $1`,
        [`%${needle}%`],
      );
      if (rows[0]?.n) found.push(name);
    }
    return found;
  };
  const expectedPartners = [
    {
      partner_key: "ada",
      partner_email: "ada@example.com",
      partner_joined_date: "2026-03-18",
      first_name: null,
      fields: { territory: "North" },
    },
    {
      partner_key: "bryn",
      partner_email: "bryn@example.com",
      partner_joined_date: "2025-11-02",
      first_name: null,
      fields: { territory: "South" },
    },
  ];

  it("a CSV with a title line, mapped and with header_row=2, imports the mapped fields and stores nothing of an ignored column", async () => {
    const r = await upload(CRM_EXPORT, [
      ["mapping", MAPPING_JSON],
      ["header_row", "2"],
    ]);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      status: "completed",
      total_rows: 2,
      counts: { rows: 2, created: 2, updated: 0, skipped: 0 },
      options: { mapping: MAPPING, header_row: 2, normalise: false, locale: "en_US" },
      header_alerts: [],
    });
    expect(await partners()).toEqual(expectedPartners);
    // Rows keep the file's record numbers: the title is row 1, the headers row 2.
    const report = (await s.call("GET", `/v1/imports/${r.body.id}/report`)).body;
    expect(report.results.map((x: { row: number; outcome: string }) => [x.row, x.outcome])).toEqual([
      [3, "created"],
      [4, "created"],
    ]);
    expect(report.results.flatMap((x: { issues: unknown[] }) => x.issues)).toEqual([]);
    // Not in a record, a report, a staged row or a log: nowhere.
    expect(await tablesHolding("secret-note")).toEqual([]);
  });

  it("the same rows through the chunk protocol with the same mapping store the same records", async () => {
    const r = await upload(CRM_EXPORT, [
      ["mapping", MAPPING_JSON],
      ["header_row", "2"],
    ]);
    expect(r.status).toBe(201);
    const other = await startTestService(engine);
    try {
      const started = await other.call("POST", "/v1/imports", {
        body: { object: "partners", headers: HEADERS, options: { mapping: MAPPING, header_row: 2 } },
      });
      expect(started.status).toBe(201);
      expect(started.body.options).toMatchObject({ mapping: MAPPING, header_row: 2 });
      const chunk = await other.call("PUT", `/v1/imports/${started.body.id}/chunks/0`, {
        body: { rows: ROWS.map((cells, i) => ({ row: i + 3, cells })) },
      });
      expect(chunk.body.counts).toMatchObject({ rows: 2, created: 2, skipped: 0 });
      expect(chunk.body.results.map((x: { row: number }) => x.row)).toEqual([3, 4]);
      expect(await partners(other)).toEqual(await partners());
    } finally {
      await other.close();
    }
  }, 60_000);

  it("takes the mapping as a query parameter (JSON) as well as a form field", async () => {
    const r = await upload(CRM_EXPORT, [], `?header_row=2&mapping=${encodeURIComponent(MAPPING_JSON)}`);
    expect(r.status).toBe(201);
    expect(r.body.options).toMatchObject({ mapping: MAPPING, header_row: 2 });
    expect(await partners()).toEqual(expectedPartners);
    // As a text/csv body, where a query parameter is the only way.
    await s.db.query("DELETE FROM partners");
    const body = await s.call(
      "POST",
      `/v1/import/partners?header_row=2&mapping=${encodeURIComponent(MAPPING_JSON)}`,
      {
        body: CRM_EXPORT,
        headers: { "content-type": "text/csv" },
      },
    );
    expect(body.status).toBe(201);
    expect(body.body.counts).toMatchObject({ created: 2 });
  });

  it("takes every option as a form field, and an option given both ways only when both say the same", async () => {
    const same = await upload(
      CRM_EXPORT,
      [
        ["mapping", MAPPING_JSON],
        ["header_row", "2"],
        ["dry_run", "true"],
        ["allow_repeats", "1"],
        ["send_invites", "false"],
        ["locale", "en_GB"],
        ["normalise", "false"],
      ],
      "?dry_run=1",
    );
    expect(same.status).toBe(201);
    expect(same.body.options).toMatchObject({
      dry_run: true,
      allow_repeats: true,
      send_invites: false,
      locale: "en_GB",
      normalise: false,
    });
    expect(await count("partners")).toBe(0);

    const differing = await upload(
      CRM_EXPORT,
      [
        ["header_row", "2"],
        ["mapping", MAPPING_JSON],
      ],
      "?header_row=1",
    );
    expect(differing.status).toBe(400);
    expect(differing.body.error).toMatchObject({
      code: "conflicting_options",
      message: expect.stringMatching(
        /^header_row is given as a query parameter \(1\) and as a form field \(2\)/,
      ),
    });
    expect(await count("imports")).toBe(1);
  });

  it("refuses an option sent after the file, or a form field that is no option, and imports nothing", async () => {
    // dry_run after the file would come too late to apply: the rows would be imported for real.
    const plain = "partner_email,partner_key,territory\nada@example.com,ada,North\n";
    const late = await s.call(
      "POST",
      "/v1/import/partners",
      multipart(plain, "data.csv", { after: [["dry_run", "true"]] }),
    );
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({
      code: "option_after_file",
      message: expect.stringContaining('"dry_run" comes after the file; options go before it'),
    });
    const typo = await upload(CRM_EXPORT, [["normalize", "true"]]);
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatchObject({
      code: "unknown_option",
      message: expect.stringContaining("did you mean normalise?"),
    });
    expect(await count("imports")).toBe(0);
    expect(await count("partners")).toBe(0);
    expect(await count("import_staging")).toBe(0);
  });

  describe("a mapping that is wrong is refused, saying what is expected, and nothing is stored", () => {
    const cases: [string, string, RegExp][] = [
      [
        "not JSON",
        "{Email: partner_email}",
        /^The mapping is not valid JSON \(.+\)\. mapping must be JSON like \{"Email": "partner_email", "Notes": null\}/,
      ],
      [
        "an array",
        '["partner_email"]',
        /^The mapping is not valid: it is not a JSON object\. mapping must be JSON like/,
      ],
      [
        "a number for a field",
        '{"Email": 1}',
        /^The mapping is not valid: the entry "Email": the field it holds must be text/,
      ],
      [
        "a blank field",
        '{"Email": " "}',
        /the entry "Email": the field is blank; name a field, or give null/,
      ],
      [
        "a field too long",
        JSON.stringify({ Email: "x".repeat(101) }),
        /a field name is at most 100 characters/,
      ],
      [
        "a header too long",
        JSON.stringify({ ["H".repeat(501)]: "partner_email" }),
        /a header is at most 500 characters/,
      ],
      ["text that cannot be stored", '{"Email": "partner\\u0000email"}', /a field name is .*NUL/i],
      [
        "two entries for one header",
        '{"Email": "partner_email", " Email ": null}',
        /names the same header as the entry "Email"/,
      ],
      [
        "too many entries",
        JSON.stringify(Object.fromEntries(Array.from({ length: 251 }, (_, i) => [`h${i}`, null]))),
        /more than 250 entries/,
      ],
    ];
    it.each(cases)("%s: 400 invalid_mapping", async (_what, mapping, message) => {
      for (const r of [
        await upload(CRM_EXPORT, [
          ["mapping", mapping],
          ["header_row", "2"],
        ]),
        await s.call("POST", "/v1/imports", {
          body: { object: "partners", headers: HEADERS, options: { mapping } },
        }),
      ]) {
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe("invalid_mapping");
        expect(r.body.error.message).toMatch(message);
      }
      // An object as such, in the chunk protocol's JSON.
      if (mapping.startsWith("{") && mapping !== "{Email: partner_email}") {
        const r = await s.call("POST", "/v1/imports", {
          body: { object: "partners", headers: HEADERS, options: { mapping: JSON.parse(mapping) } },
        });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe("invalid_mapping");
      }
      expect(await count("imports")).toBe(0);
      expect(await count("partners")).toBe(0);
    });

    it("a field the object lacks: 422 invalid_headers with unknown_field", async () => {
      const mapping = JSON.stringify({ ...MAPPING, Joined: "partner_joined" });
      const r = await upload(CRM_EXPORT, [
        ["mapping", mapping],
        ["header_row", "2"],
      ]);
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe("invalid_headers");
      expect(r.body.error.details.alerts).toContainEqual(
        expect.objectContaining({
          row: 2,
          column: 3,
          code: "unknown_field",
          severity: "error",
          message: expect.stringContaining('reads "Joined" as partner_joined, which is not a partners field'),
        }),
      );
      const chunked = await s.call("POST", "/v1/imports", {
        body: { object: "partners", headers: HEADERS, options: { mapping: JSON.parse(mapping) } },
      });
      expect(chunked.status).toBe(422);
      expect(chunked.body.error.code).toBe("invalid_headers");
      expect(await count("imports")).toBe(0);
      expect(await count("partners")).toBe(0);
      expect(await count("import_staging")).toBe(0);
    });
  });

  it("a mapping entry for a header the file lacks is a warning, unknown_header, and is not used", async () => {
    const mapping = { ...MAPPING, "E-mail": "partner_email", Phone: null };
    const r = await upload(CRM_EXPORT, [
      ["mapping", JSON.stringify(mapping)],
      ["header_row", "2"],
    ]);
    expect(r.status).toBe(201);
    expect(r.body.header_alerts).toEqual([
      expect.objectContaining({
        row: 2,
        column: null,
        severity: "warning",
        code: "unknown_header",
        message: expect.stringContaining('"E-mail" (as partner_email)'),
      }),
      expect.objectContaining({
        severity: "warning",
        code: "unknown_header",
        message: expect.stringContaining('"Phone" (to be ignored)'),
      }),
    ]);
    expect(r.body.counts).toMatchObject({ created: 2 });
    const chunked = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: HEADERS, options: { mapping, dry_run: true } },
    });
    expect(chunked.status).toBe(201);
    expect(chunked.body.header_alerts.map((a: { code: string }) => a.code)).toEqual([
      "unknown_header",
      "unknown_header",
    ]);
  });

  it("a header row past the file's end, a bad header_row or locale: 400, nothing imported", async () => {
    const past = await upload(CRM_EXPORT, [["header_row", "9"]]);
    expect(past.status).toBe(400);
    expect(past.body.error).toMatchObject({
      code: "empty_file",
      message: expect.stringContaining("nothing from row 9 on"),
    });
    for (const [name, value] of [
      ["header_row", "0"],
      ["header_row", "two"],
      ["locale", "english"],
      ["locale", "en-US"],
    ] as const) {
      const asField = await upload(CRM_EXPORT, [[name, value]]);
      expect(asField.status).toBe(400);
      expect(asField.body.error.message).toMatch(new RegExp(`^The form field ${name}: ${name} is`));
      const asQuery = await upload(CRM_EXPORT, [], `?${name}=${value}`);
      expect(asQuery.status).toBe(400);
    }
    const chunked = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: HEADERS, options: { locale: "EN" } },
    });
    expect(chunked.status).toBe(400);
    expect(await count("imports")).toBe(0);
  });

  it("a blank header's column the mapping ignores gives no ignored_value warnings; one it does not ignore does", async () => {
    const csv = "partner_email,partner_key,territory,\nada@example.com,ada,North,scribble\n";
    const plain = await upload(csv, [["dry_run", "true"]]);
    const report = async (id: string) => (await s.call("GET", `/v1/imports/${id}/report`)).body.results[0];
    expect((await report(plain.body.id)).issues).toContainEqual(
      expect.objectContaining({ code: "ignored_value", column: 4 }),
    );
    const ignored = await upload(csv, [
      ["mapping", '{"": null}'],
      ["dry_run", "true"],
    ]);
    expect(ignored.status).toBe(201);
    expect((await report(ignored.body.id)).issues).toEqual([]);
  });

  it("the mapping and options are in the import resource, its report and the audit entry of its start", async () => {
    const r = await upload(CRM_EXPORT, [
      ["mapping", MAPPING_JSON],
      ["header_row", "2"],
      ["normalise", "true"],
      ["locale", "en_GB"],
    ]);
    expect(r.status).toBe(201);
    const options = { mapping: MAPPING, normalise: true, locale: "en_GB", header_row: 2 };
    expect((await s.call("GET", `/v1/imports/${r.body.id}`)).body.options).toMatchObject(options);
    expect((await s.call("GET", `/v1/imports/${r.body.id}/report`)).body.import.options).toMatchObject(
      options,
    );
    expect((await s.call("GET", "/v1/imports?limit=5")).body.data[0].options).toMatchObject(options);
    const audit = (await s.call("GET", "/v1/audit-log?limit=50")).body.data;
    expect(audit.find((e: { action: string }) => e.action === "import.started")).toMatchObject({
      import_id: r.body.id,
      options,
    });
    // A mapping far past what other audit values keep is kept whole.
    const wide = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`Column ${"x".repeat(40)} ${i}`, null]),
    );
    const big = await s.call("POST", "/v1/imports", {
      body: { object: "partners", headers: HEADERS, options: { mapping: { ...MAPPING, ...wide } } },
    });
    expect(big.status).toBe(201);
    const entries = (await s.call("GET", "/v1/audit-log?limit=50")).body.data;
    expect(
      entries.find(
        (e: { import_id: string; action: string }) =>
          e.import_id === big.body.id && e.action === "import.started",
      ).options.mapping,
    ).toEqual({ ...MAPPING, ...wide });
  });

  it("documents mapping, normalise, locale and header_row in /v1/openapi.json, with a curl example", async () => {
    const doc = (await s.call("GET", "/v1/openapi.json", { key: null })).body;
    const upload = doc.paths["/v1/import/{object}"].post;
    const query = upload.parameters
      .filter((p: { in: string }) => p.in === "query")
      .map((p: { name: string }) => p.name);
    expect(query).toEqual(
      expect.arrayContaining(["mapping", "normalise", "locale", "header_row", "dry_run"]),
    );
    const form = upload.requestBody.content["multipart/form-data"].schema.properties;
    expect(Object.keys(form)).toEqual(
      expect.arrayContaining(["mapping", "normalise", "locale", "header_row", "file"]),
    );
    expect(upload.description).toContain('-F \'mapping={"Email":"partner_email"');
    const start =
      doc.paths["/v1/imports"].post.requestBody.content["application/json"].schema.properties.options
        .properties;
    expect(Object.keys(start)).toEqual(
      expect.arrayContaining(["mapping", "normalise", "locale", "header_row"]),
    );
    expect(start.mapping.description).toContain('{"Email": "partner_email", "Notes": null}');
  });
});

/**
 * These hold once the core's fixers exist (src/core/fixes.ts `fixerFor`): until then normalise finds
 * nothing to fix, and the normalised rows are skipped like the others.
 */
describe.each(engines())(
  "normalise=true reads common forms, each reported (needs the core fixers) (%s)",
  (engine) => {
    let s: TestService;
    beforeEach(async () => {
      s = await startTestService(engine);
    }, 30_000);
    afterEach(() => s.close());

    const CSV = [
      "Acme CRM export,,,,",
      line(HEADERS),
      "mailto:ADA@Example.COM,ada,3/18/2026,North,n1",
      "bryn@example.com,bryn,2025-11-02,South,n2",
    ].join("\n");
    const upload = (fields: [string, string][]) =>
      s.call("POST", "/v1/import/partners", multipart(CSV, "crm-export.csv", { before: fields }));
    const stored = async (key: string) => (await s.call("GET", `/v1/partners?key=${key}`)).body.data[0];
    const reportOf = async (id: string) => (await s.call("GET", `/v1/imports/${id}/report`)).body.results;

    it("with normalise, 3/18/2026 and mailto:ADA@Example.COM are stored canonical, each a fixable warning with its fix", async () => {
      const r = await upload([
        ["mapping", MAPPING_JSON],
        ["header_row", "2"],
        ["normalise", "true"],
      ]);
      expect(r.status).toBe(201);
      expect(r.body.counts).toMatchObject({ rows: 2, created: 2, skipped: 0 });
      expect(await stored("ada")).toMatchObject({
        partner_email: "ada@example.com",
        partner_joined_date: "2026-03-18",
      });
      const [ada] = await reportOf(r.body.id);
      expect(ada).toMatchObject({ row: 3, outcome: "created" });
      expect(ada.issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            row: 3,
            column: 1,
            field: "partner_email",
            severity: "warning",
            code: "fixable",
            fix: { from: "mailto:ADA@Example.COM", to: "ada@example.com" },
          }),
          expect.objectContaining({
            row: 3,
            column: 3,
            field: "partner_joined_date",
            severity: "warning",
            code: "fixable",
            fix: { from: "3/18/2026", to: "2026-03-18" },
          }),
        ]),
      );
    });

    it("without normalise those rows are skipped with their errors, as before", async () => {
      const r = await upload([
        ["mapping", MAPPING_JSON],
        ["header_row", "2"],
      ]);
      expect(r.status).toBe(201);
      expect(r.body.counts).toMatchObject({ rows: 2, created: 1, skipped: 1 });
      const [ada] = await reportOf(r.body.id);
      expect(ada.outcome).toBe("skipped");
      expect(ada.issues.map((i: { code: string }) => i.code).sort()).toEqual([
        "invalid_date",
        "invalid_email",
      ]);
      expect(await stored("ada")).toBeUndefined();
    });

    it("the locale decides slash dates: en_GB reads 03/04/2026 as 3 April, en_US as 4 March", async () => {
      const csv = `partner_email,partner_key,partner_joined_date,territory\nada@example.com,ada,03/04/2026,North\n`;
      const gb = await s.call("POST", "/v1/import/partners?normalise=true&locale=en_GB&dry_run=true", {
        body: csv,
        headers: { "content-type": "text/csv" },
      });
      const us = await s.call("POST", "/v1/import/partners?normalise=true&dry_run=true", {
        body: csv,
        headers: { "content-type": "text/csv" },
      });
      const fixOf = async (id: string) =>
        (await reportOf(id))[0].issues.find((i: { code: string }) => i.code === "fixable")?.fix;
      expect(await fixOf(gb.body.id)).toEqual({ from: "03/04/2026", to: "2026-04-03" });
      expect(await fixOf(us.body.id)).toEqual({ from: "03/04/2026", to: "2026-03-04" });
    });

    it("the chunk protocol normalises the same way, and a fix shared by many rows is said once with their count", async () => {
      const rows = Array.from({ length: 12 }, (_, i) => [
        `p${i}@example.com`,
        `p${i}`,
        "3/18/2026",
        "North",
        "",
      ]);
      const { results, completed } = await importRows(s, "partners", HEADERS, rows, {
        mapping: MAPPING,
        normalise: true,
      });
      expect(completed.body.counts).toMatchObject({ rows: 12, created: 12 });
      expect(await stored("p11")).toMatchObject({ partner_joined_date: "2026-03-18" });
      // The same warning on more than 10 rows of a chunk stays on the first row, saying how many share it.
      expect(results[0].issues).toEqual([
        expect.objectContaining({
          code: "fixable",
          fix: { from: "3/18/2026", to: "2026-03-18" },
          message: expect.stringMatching(/\(the same on 11 more rows of this chunk\)$/),
        }),
      ]);
      expect(results[1].issues).toEqual([]);
    });
  },
);
