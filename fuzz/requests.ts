import fc from "fast-check";

/** A request as app.inject takes it. */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** A route of the service: its method, its path with `{param}`s, its query parameters. */
export interface Route {
  method: string;
  path: string;
  query: readonly string[];
}

/** What the requests are made from: the service's routes, keys of every role, ids that exist. */
export interface FuzzTarget {
  routes: readonly Route[];
  /** API keys of every role, the first one an admin's. */
  keys: readonly string[];
  /** Each object's template headers (leads and deals per group), as GET /v1/objects gives them. */
  headers: Readonly<Record<string, readonly string[]>>;
  groups: readonly string[];
  /** Ids of imports that exist, oldest first; grows as the campaign starts imports. */
  importIds: readonly string[];
}

export const OBJECTS = ["partners", "customers", "transactions", "rewards", "leads", "deals"] as const;

/** Strings no client should send, and the ones a database or parser trips on. */
const nasty = fc.constantFrom(
  "\0",
  "a\0b",
  "\uD800",
  "x\uDC00y",
  "\uDBFF\uDBFF",
  "\uFFFD",
  "\uFEFFkey",
  "-".repeat(36),
  "00000000-0000-0000-0000-000000000000",
  "' OR 1=1 --",
  "'); DROP TABLE imports; --",
  "../../etc/passwd",
  "%00",
  "%",
  "%ZZ",
  '=HYPERLINK("x")',
  "\r\n",
  "\u202Egnp.exe",
  "__proto__",
  "constructor",
  "NaN",
  "1e309",
  "-0",
  "",
  " ",
  "partners",
  "PARTNERS",
);

/** Any string, tilted towards the ones above: lone surrogates, NUL, long runs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: "binary", minLength: 1, maxLength: 4 }), fc.integer({ min: 100, max: 5000 }))
      .map(([s, n]) => s.repeat(n)),
  },
  { weight: 1, arbitrary: fc.uuid() },
);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, 0.5),
);

/** A JSON value of any type, often the wrong one. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 400 }).map(nested) },
);

/** A value nested `depth` levels deep, alternating arrays and objects. */
export function nested(depth: number): unknown {
  let value: unknown = "deep";
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { v: value };
  return value;
}

/** A cell as a sheet or a careless client sends it. */
const cell: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom("ada", "ada@example.com", "2024-01-31", "12.50", "USD", "gold", ""),
  },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Mostly what `valid` gives, now and then anything at all. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: hostileValue });

/** A header → field mapping: plausible (a CRM's headers to template fields), careless, or hostile. */
const mappingObject: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.dictionary(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom("Email", "Partner Key", "Joined", "Notes", "email", "", " Email "),
        },
        { weight: 1, arbitrary: hostileString },
      ),
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            "partner_email",
            "partner_key",
            "partner_joined_date",
            "email",
            "amount",
            "metadata.source",
            "no_such_field",
            null,
          ),
        },
        { weight: 1, arbitrary: hostileValue },
      ),
      { maxKeys: 6 },
    ),
  },
  { weight: 1, arbitrary: hostileValue },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 240, max: 300 })
      .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`h${i}`, i % 2 ? null : "email"]))),
  },
  { weight: 1, arbitrary: fc.constantFrom({ __proto__: null, x: "email" }, { constructor: "email" }) },
);

/** A mapping as text (a query parameter or form field): JSON, or text that is not. */
const mappingText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: mappingObject.map((m) => JSON.stringify(m) ?? "null") },
  {
    weight: 1,
    arbitrary: fc.constantFrom("{", "[1]", "null", "", '{"__proto__":"email"}', "{Email: email}", '{"a":'),
  },
  { weight: 1, arbitrary: hostileString },
);

/** The likely values of each upload option, as text. */
const optionText: Record<string, fc.Arbitrary<string>> = {
  mapping: mappingText,
  normalise: fc.constantFrom("true", "false", "1", "yes"),
  locale: fc.constantFrom("en_US", "en_GB", "de", "es_419", "EN", "en-US", "x"),
  header_row: fc.constantFrom("1", "2", "3", "0", "-1", "1.5", "99999999999", "10001"),
  dry_run: fc.constantFrom("true", "false"),
  allow_repeats: fc.constantFrom("true", "false"),
  send_invites: fc.constantFrom("true", "false", "1"),
  mode: fc.constantFrom("create_and_update", "create_only", "update_only", "upsert", "CREATE_ONLY", ""),
};

/** Bytes of a string, percent-encoded, so any byte (even one that is not UTF-8) can be in a URL. */
function percentEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A path segment or query value as it goes into the URL: encoded, raw bytes, or encoded twice. */
const urlText = (value: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 14, arbitrary: value.map(percentEncode) },
    { weight: 1, arbitrary: fc.constantFrom("%ED%A0%80", "%00", "%FF%FE", "%C0%AF", "%E2%82", "%25", "%2F") },
    { weight: 1, arbitrary: value.map((v) => percentEncode(percentEncode(v))) },
  );

export function fuzzRequests(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const objectName = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...OBJECTS) },
    { weight: 1, arbitrary: hostileString },
  );
  const importId = fc.oneof(
    { weight: 10, arbitrary: fc.nat().map((i) => recent(target.importIds, i)) },
    { weight: 2, arbitrary: fc.uuid() },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "-".repeat(36),
        "0".repeat(36),
        `${"g".repeat(8)}-0000-0000-0000-${"0".repeat(12)}`,
      ),
    },
    { weight: 1, arbitrary: hostileString },
  );
  const paramValue = (name: string): fc.Arbitrary<string> => {
    if (name === "object") return urlText(objectName);
    if (name === "id") return urlText(importId);
    if (name === "seq")
      return urlText(
        fc.oneof(
          { weight: 16, arbitrary: fc.nat(20).map(String) },
          { weight: 1, arbitrary: hostileString },
          { weight: 1, arbitrary: hostileNumber.map(String) },
        ),
      );
    return urlText(hostileString);
  };
  const queryValue = (name: string): fc.Arbitrary<string> => {
    const likely: Record<string, fc.Arbitrary<string>> = {
      group_key: fc.constantFrom(...target.groups),
      limit: fc.constantFrom("1", "50", "500"),
      format: fc.constantFrom("json", "csv"),
      results: fc.constantFrom("all", "issues"),
      cursor: fc.constantFrom(
        "eyJpZCI6MX0",
        "eyJpZCI6Ii0tLSJ9",
        Buffer.from('{"id":"-"}').toString("base64url"),
      ),
      send_invites: fc.constantFrom("true", "false", "1"),
      dry_run: fc.constantFrom("true", "false"),
      allow_repeats: fc.constantFrom("true", "false"),
      email: fc.constantFrom("ada@example.com"),
      key: fc.constantFrom("ada"),
      ...Object.fromEntries(
        ["mapping", "normalise", "locale", "header_row", "mode"].map((n) => [
          n,
          (optionText[n] as fc.Arbitrary<string>).map(percentEncode),
        ]),
      ),
    };
    return fc.oneof(
      { weight: 8, arbitrary: likely[name] ?? urlText(hostileString) },
      { weight: 1, arbitrary: urlText(hostileString) },
      { weight: 1, arbitrary: urlText(fc.string()) },
    );
  };

  const authorization = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...target.keys).map((k) => `Bearer ${k}`) },
    { weight: 14, arbitrary: fc.constant(`Bearer ${target.keys[0]}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "",
        "Bearer",
        "Bearer ",
        "Bearer not-a-key",
        "Basic YTpi",
        "bearer  x y",
        "Bearer \u00ff",
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: "binary-ascii", maxLength: 40 })
        .map((s) => `Bearer ${s.replace(/[\r\n\0]/g, "")}`),
    },
  );

  const json = (value: fc.Arbitrary<unknown>) =>
    value.map((v) => ({ payload: JSON.stringify(v) ?? "null", type: "application/json" }));
  const rawJson = fc.oneof(
    fc.integer({ min: 100, max: 100_000 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`),
    fc.integer({ min: 100, max: 20_000 }).map((d) => `${'{"a":'.repeat(d)}1${"}".repeat(d)}`),
    fc.constantFrom(
      '{"a":',
      "{",
      "[1,2",
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
      "nul",
      "\uFEFF{}",
      "",
    ),
    fc
      .integer({ min: 1, max: 3 })
      .map((mb) => `{"object":"partners","headers":["${"x".repeat(mb * 1024 * 1024)}"]}`),
  );

  const headersFor = (object: unknown) =>
    fc.oneof(
      { weight: 8, arbitrary: fc.constant(templateOf(target, object)) },
      { weight: 2, arbitrary: fc.array(cell, { minLength: 1, maxLength: 8 }) },
      { weight: 1, arbitrary: hostileValue },
    );
  const source = fc.oneof(
    {
      weight: 24,
      arbitrary: fc.constantFrom({ kind: "sheet", name: "Partners" }, { kind: "file" }, { kind: "api" }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("sheet", "file"), name: hostileString }) },
    fc.record({ kind: hostileValue, name: hostileValue }, { requiredKeys: [] }),
    fc.record({ kind: fc.constant("sheet"), actor: hostileString, extra: hostileValue }),
    fc.integer({ min: 40, max: 400 }).map((d) => ({ kind: "api", name: "x", detail: nested(d) })),
    fc.integer({ min: 500, max: 5000 }).map((n) => ({ kind: "file", name: "é".repeat(n) })),
    hostileValue,
  );
  const options = mostly(
    fc.record(
      {
        group_key: mostly(fc.constantFrom(...target.groups)),
        send_invites: mostly(fc.boolean()),
        dry_run: mostly(fc.boolean()),
        allow_repeats: mostly(fc.boolean()),
        mapping: fc.oneof(mappingObject, mappingText),
        normalise: mostly(fc.boolean()),
        locale: mostly(fc.constantFrom("en_US", "en_GB", "fr")),
        header_row: mostly(fc.integer({ min: -2, max: 12_000 })),
        mode: mostly(fc.constantFrom("create_and_update", "create_only", "update_only", "upsert")),
      },
      { requiredKeys: [] },
    ),
  );
  // A start as the add-on or a script sends it: every field right for its object.
  const goodStart = fc.constantFrom(...OBJECTS).chain((object) =>
    fc.record(
      {
        object: fc.constant(object),
        options: fc.record(
          {
            group_key: fc.constantFrom(...target.groups),
            dry_run: fc.boolean(),
            allow_repeats: fc.boolean(),
            // Each template header read as itself, or ignored.
            mapping: fc.option(
              fc
                .subarray(templateOf(target, object))
                .chain((hs) =>
                  fc.tuple(
                    ...hs.map((h) => fc.constantFrom<string | null>(h, null).map((f) => [h, f] as const)),
                  ),
                )
                .map((pairs) => Object.fromEntries(pairs)),
            ),
            normalise: fc.boolean(),
            locale: fc.constantFrom("en_US", "en_GB"),
            header_row: fc.integer({ min: 1, max: 3 }),
            // Transactions and rewards take only the default; the others any of the three.
            mode:
              object === "transactions" || object === "rewards"
                ? fc.constant("create_and_update")
                : fc.constantFrom("create_and_update", "create_only", "update_only"),
          },
          { requiredKeys: ["group_key", "dry_run", "allow_repeats"] },
        ),
        headers: fc.constant(templateOf(target, object)),
        total_rows: fc.nat(60),
        source: fc.constantFrom({ kind: "sheet", name: "Partners" }, { kind: "file" }, { kind: "api" }),
        client_token: fc.uuid(),
      },
      { requiredKeys: ["object", "headers", "options"] },
    ),
  );
  const anyStart = objectName.chain((object) =>
    fc.record(
      {
        object: mostly(fc.constant(object)),
        options,
        headers: headersFor(object),
        total_rows: mostly(fc.nat(100)),
        source,
        client_token: mostly(fc.uuid()),
        retry_of: fc.oneof(importId, hostileValue),
      },
      { requiredKeys: ["object", "headers"] },
    ),
  );
  // Right but for one field, or wrong anywhere.
  const startBody = fc.oneof(
    { weight: 4, arbitrary: goodStart },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          goodStart,
          anyStart,
          fc.constantFrom("object", "options", "headers", "total_rows", "source", "client_token", "retry_of"),
        )
        .map(([good, bad, field]) => ({ ...good, [field]: (bad as Record<string, unknown>)[field] })),
    },
    { weight: 2, arbitrary: anyStart },
  );
  // Cells under one object's headers, plausible for each column, a few of them hostile.
  const cells = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...OBJECTS)
        .chain((o) => fc.tuple(...templateOf(target, o).map(plausibleCell))),
    },
    { weight: 1, arbitrary: fc.array(cell, { maxLength: 10 }) },
  );
  const row = fc.record({ row: fc.integer({ min: 2, max: 60 }), cells });
  const chunkBody = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({ rows: fc.uniqueArray(row, { maxLength: 6, selector: (r) => r.row }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ rows: fc.array(fc.record({ row: hostileValue, cells: hostileValue })) }),
    },
    { weight: 1, arbitrary: fc.record({ rows: hostileValue }) },
  );
  // Several chunks in one request: their seqs mostly distinct, now and then one twice or past ten chunks.
  const seq = fc.oneof({ weight: 6, arbitrary: fc.nat(12) }, { weight: 1, arbitrary: hostileValue });
  const chunksBody = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        chunks: fc.uniqueArray(
          fc.tuple(fc.nat(12), chunkBody).map(([n, body]) => ({ seq: n, ...body })),
          { maxLength: 4, selector: (c) => c.seq },
        ),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        chunks: fc.array(
          fc.tuple(seq, chunkBody).map(([n, body]) => ({ seq: n, ...body })),
          { maxLength: 12 },
        ),
      }),
    },
    { weight: 1, arbitrary: fc.record({ chunks: hostileValue }) },
  );

  const csvBody = fc.oneof(
    { weight: 3, arbitrary: csvFile(target).map((bytes) => ({ payload: bytes, type: "text/csv" })) },
    {
      weight: 3,
      arbitrary: fc.tuple(csvFile(target), multipartShape).map(([bytes, shape]) => multipart(bytes, shape)),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          "application/octet-stream",
          "text/plain",
          "multipart/form-data",
          "multipart/form-data; boundary=",
        )
        .map((type) => ({ payload: "a,b\r\n1,2\r\n", type })),
    },
  );

  const bodyFor = (route: Route): fc.Arbitrary<{ payload: string | Buffer; type: string } | null> => {
    const junk = fc.oneof(
      json(hostileValue),
      rawJson.map((payload) => ({ payload, type: "application/json" })),
      fc.string({ unit: "binary" }).map((payload) => ({ payload, type: "text/plain" })),
    );
    let likely: fc.Arbitrary<{ payload: string | Buffer; type: string } | null> = fc.constant(null);
    if (route.method === "POST" && route.path === "/v1/imports") likely = json(startBody);
    else if (route.path.endsWith("/chunks/{seq}")) likely = json(chunkBody);
    else if (route.path.endsWith("/chunks")) likely = json(chunksBody);
    else if (route.path.endsWith("/complete") || route.path.endsWith("/cancel"))
      likely = fc.oneof(
        fc.constant(null),
        json(fc.record({ partial: fc.oneof(fc.boolean(), hostileValue) })),
      );
    else if (route.path.startsWith("/v1/import/")) likely = csvBody;
    return fc.oneof(
      { weight: 10, arbitrary: likely },
      { weight: 1, arbitrary: junk },
      { weight: 1, arbitrary: fc.constant(null) },
    );
  };

  const requestFor = (route: Route): fc.Arbitrary<FuzzRequest> => {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
    return fc
      .record({
        values: fc.tuple(...params.map(paramValue)),
        query: fc
          .subarray([...route.query, "junk", "limit"])
          .chain((names) => fc.tuple(...names.map((n) => queryValue(n).map((v) => `${n}=${v}`)))),
        authorization: fc.option(authorization, { freq: 12 }),
        idempotencyKey: fc.option(
          fc.oneof(
            { weight: 6, arbitrary: fc.uuid() },
            {
              weight: 1,
              arbitrary: fc
                .string({ unit: "binary-ascii", maxLength: 300 })
                .map((s) => s.replace(/[\r\n\0]/g, "")),
            },
          ),
          { freq: 3 },
        ),
        body: bodyFor(route),
        method: fc.oneof(
          { weight: 12, arbitrary: fc.constant(route.method) },
          {
            weight: 1,
            arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
          },
        ),
        spelling: fc.oneof(
          { weight: 20, arbitrary: fc.constant("plain") },
          { weight: 1, arbitrary: fc.constantFrom("encoded", "slashes", "case", "dot") },
        ),
      })
      .map(({ values, query, authorization, idempotencyKey, body, method, spelling }) => {
        let i = 0;
        const path = respell(
          route.path.replace(/\{\w+\}/g, () => values[i++] as string),
          spelling,
        );
        const headers: Record<string, string> = {};
        if (authorization !== null) headers.authorization = authorization;
        if (idempotencyKey !== null) headers["idempotency-key"] = idempotencyKey;
        if (body) headers["content-type"] = body.type;
        return {
          method,
          url: query.length ? `${path}?${query.join("&")}` : path,
          headers,
          ...(body && method !== "GET" && method !== "HEAD" ? { payload: body.payload } : {}),
        };
      });
  };
  // The API's own routes more often than the pages of its description; chunks, where rows are applied, most.
  return fc.oneof(
    ...target.routes.map((route) => ({
      weight: route.path.startsWith("/docs") ? 1 : /\/chunks(\/\{seq\})?$/.test(route.path) ? 12 : 4,
      arbitrary: requestFor(route),
    })),
  );
}

/** One of the newest few ids (the ones most likely still open), or "" when there are none. */
function recent(ids: readonly string[], pick: number): string {
  return ids[ids.length - 1 - (pick % Math.min(ids.length, 8))] ?? "";
}

/** A value that could be right for a column of this name, or now and then a hostile one. */
function plausibleCell(header: string): fc.Arbitrary<unknown> {
  const likely = /email/.test(header)
    ? fc.stringMatching(/^[a-z]{1,6}@example\.com$/)
    : /key/.test(header)
      ? fc.stringMatching(/^[a-z]{3,6}$/)
      : /date|_at$|_on$/.test(header)
        ? fc.constantFrom("2024-01-31", "2023-12-01", "31/01/2024")
        : /amount|cents/.test(header)
          ? fc.constantFrom("12.50", "100", "-3", "1e3")
          : /currency/.test(header)
            ? fc.constantFrom("USD", "EUR", "XXX")
            : fc.oneof(fc.constant(""), fc.string({ maxLength: 12 }));
  return fc.oneof({ weight: 8, arbitrary: likely }, { weight: 1, arbitrary: cell });
}

/** An object's template headers; a name that is no object gets one plausible header. */
function templateOf(target: FuzzTarget, object: unknown): string[] {
  const name = String(object);
  return Object.hasOwn(target.headers, name) ? [...(target.headers[name] as string[])] : ["email"];
}

/** Other spellings of a path: percent-encoded letters, doubled slashes, upper case, a dot segment. */
function respell(path: string, how: string): string {
  if (how === "encoded") return path.replace("/v1/", "/%76%31/");
  if (how === "slashes") return path.replace("/v1/", "//v1//");
  if (how === "case") return path.toUpperCase();
  if (how === "dot") return path.replace("/v1/", "/v1/./");
  return path;
}

/** A CSV file's bytes: a header row and rows, in UTF-8 or UTF-16 with a BOM, with odd bytes among them. */
function csvFile(target: FuzzTarget): fc.Arbitrary<Buffer> {
  const field = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom("ada", "ada@example.com", "bo@example.com", "2024-01-31", "12.50", ""),
    },
    { weight: 2, arbitrary: hostileString.map((s) => s.slice(0, 200)) },
    { weight: 1, arbitrary: fc.constantFrom('"unterminated', 'a"b', '"x""y"', "a\nb", "\r") },
  );
  const header = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...OBJECTS).map((o) => templateOf(target, o)) },
    { weight: 1, arbitrary: fc.array(field, { minLength: 1, maxLength: 5 }) },
  );
  return fc
    .record({
      header,
      rows: fc.array(fc.array(field, { maxLength: 8 }), { maxLength: 12 }),
      encoding: fc.constantFrom("utf8", "utf8", "utf8", "utf8-bom", "utf16le", "utf16be", "utf16le-nobom"),
      junk: fc.option(fc.uint8Array({ minLength: 1, maxLength: 16 }), { freq: 3 }),
      cut: fc.option(fc.nat(), { freq: 6 }),
      // A title above the header row, as exports from other tools have (header_row=2 skips it).
      title: fc.option(fc.constantFrom(["Acme CRM export"], ["Report", "", "2026"], [""]), { freq: 3 }),
    })
    .map(({ header, rows, encoding, junk, cut, title }) => {
      const line = (cells: readonly string[]) =>
        cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",");
      const text = [...(title ? [title] : []), header, ...rows].map(line).join("\r\n");
      let bytes = encodeText(text, encoding);
      if (junk) {
        const at = bytes.length ? (junk[0] as number) % bytes.length : 0;
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(junk), bytes.subarray(at)]);
      }
      if (cut !== null && bytes.length) bytes = bytes.subarray(0, cut % bytes.length);
      return bytes;
    });
}

function encodeText(text: string, encoding: string): Buffer {
  const utf16le = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) utf16le.writeUInt16LE(text.charCodeAt(i), i * 2);
  if (encoding === "utf8-bom") return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
  if (encoding === "utf16le") return Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]);
  if (encoding === "utf16le-nobom") return utf16le;
  if (encoding === "utf16be")
    return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(utf16le).swap16()]);
  return Buffer.from(text);
}

/** How a multipart body is framed: well, or cut short, its boundary wrong, its file field missing. */
const formField: fc.Arbitrary<[string, string]> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .constantFrom(...Object.keys(optionText))
      .chain((name) => (optionText[name] as fc.Arbitrary<string>).map((v): [string, string] => [name, v])),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom("normalize", "file", "junk", "__proto__", "constructor", "group_key"),
      hostileString.map((v) => v.slice(0, 200)),
    ),
  },
);

const multipartShape: fc.Arbitrary<MultipartShape> = fc.record({
  before: fc.array(formField, { maxLength: 4 }),
  after: fc.array(formField, { maxLength: 1 }),
  field: fc.constantFrom("file", "file", "file", "other"),
  filename: fc.oneof(
    { weight: 3, arbitrary: fc.constant("data.csv") },
    { weight: 1, arbitrary: hostileString.map((s) => s.replace(/["\r\n]/g, "")) },
  ),
  framing: fc.constantFrom(
    "good",
    "good",
    "good",
    "cut",
    "wrong-boundary",
    "no-end",
    "no-headers",
    "two-files",
    "no-boundary",
  ),
  cutAt: fc.nat(),
});

function multipart(bytes: Buffer, shape: MultipartShape) {
  const boundary = "----fuzz7d3a9c";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${shape.field}"; filename="${shape.filename}"\r\nContent-Type: text/csv\r\n\r\n`,
    "utf8",
  );
  const field = ([name, value]: [string, string]) =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/["\r\n]/g, "")}"\r\n\r\n${value}\r\n`,
    );
  const before = Buffer.concat(shape.before.map(field));
  const after = Buffer.concat(shape.after.map(field));
  const end = Buffer.concat([Buffer.from("\r\n"), after, Buffer.from(`--${boundary}--\r\n`)]);
  let body: Buffer;
  switch (shape.framing) {
    case "no-end":
      body = Buffer.concat([before, head, bytes]);
      break;
    case "no-headers":
      body = Buffer.concat([Buffer.from(`--${boundary}\r\n\r\n`), bytes, end]);
      break;
    case "two-files":
      body = Buffer.concat([before, head, bytes, Buffer.from(`\r\n`), head, bytes, end]);
      break;
    default:
      body = Buffer.concat([before, head, bytes, end]);
  }
  if (shape.framing === "cut" && body.length) body = body.subarray(0, shape.cutAt % body.length);
  const type =
    shape.framing === "wrong-boundary"
      ? `multipart/form-data; boundary=${boundary}x`
      : shape.framing === "no-boundary"
        ? "multipart/form-data"
        : `multipart/form-data; boundary=${boundary}`;
  return { payload: body, type };
}

type MultipartShape = {
  /** Form fields (options) before the file, and after it. */
  before: [string, string][];
  after: [string, string][];
  field: string;
  filename: string;
  framing: string;
  cutAt: number;
};
