import type { ObjectName } from "../src/core";

/** Deterministic pseudo-random numbers, so every run measures the same rows. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BenchSheet {
  headers: string[];
  rows: unknown[][];
}

/** A sheet of `n` plausible rows for an object, about 1 in `badEvery` with a mistake in it. */
export function sheetOf(object: ObjectName, n: number, badEvery = 20, seed = 7): BenchSheet {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const day = (i: number) =>
    `20${10 + (i % 15)}-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`;
  const make = (headers: string[], row: (i: number, bad: boolean) => unknown[]): BenchSheet => ({
    headers,
    rows: Array.from({ length: n }, (_, i) => row(i, i % badEvery === badEvery - 1)),
  });
  switch (object) {
    case "partners":
      return make(
        [
          "partner_email",
          "partner_key",
          "first_name",
          "last_name",
          "partner_joined_date",
          "tags",
          "shipping_address_city",
          "shipping_address_postal",
        ],
        (i, bad) => [
          bad ? `partner${i}@` : `partner${i}@example.com`,
          `partner-${i}`,
          pick(["Ada", "Bryn", "Chen", "Dana"]),
          pick(["Jones", "Lee", "Okafor", "Silva"]),
          day(i),
          pick(["", "gold", "emea, saas"]),
          pick(["Toronto", "Lyon", "Austin"]),
          String(10000 + (i % 89999)),
        ],
      );
    case "customers":
      return make(
        ["email", "customer_key", "partner_key", "name", "created_at", "company_name", "postal"],
        (i, bad) => [
          `customer${i}@example.com`,
          `cus_${i}`,
          `partner-${i % 1000}`,
          `Customer ${i}`,
          bad ? "12/25/2020" : day(i),
          pick(["Marlie Co", "Kirby Inc", ""]),
          String(i % 99999).padStart(5, "0"),
        ],
      );
    case "transactions":
      return make(
        ["customer_key", "amount", "currency", "key", "created_at", "metadata.agreement"],
        (i, bad) => [
          `cus_${i % 50000}`,
          bad ? "400.50" : String(100 + ((i * 37) % 90000)),
          pick(["USD", "CAD", "EUR", ""]),
          `txn_${i}`,
          day(i),
          `A-${i % 300}`,
        ],
      );
    case "rewards":
      return make(
        ["partner_key", "amount_in_cents", "body", "target_type", "target_key", "status", "is_external"],
        (i, bad) => [
          `partner-${i % 1000}`,
          String(500 + (i % 5000)),
          "Bonus for the quarter",
          bad ? "order" : i % 2 ? "customer" : "",
          i % 2 ? `cus_${i}` : "",
          pick(["pending", "approved", "paid"]),
          pick(["true", "false"]),
        ],
      );
    case "leads":
      return make(["partner_key", "email", "first_name", "last_name", "status", "external_key"], (i, bad) => [
        `partner-${i % 1000}`,
        `lead${i}@example.com`,
        pick(["Joe", "Ana", "Kim"]),
        pick(["Kirby", "Ng", "Moss"]),
        bad ? "Open" : pick(["open", "closed", "closed won"]),
        `lead_${i}`,
      ]);
    case "deals":
      return make(
        ["amount", "close_date", "external_key", "stage", "partner_key", "account_name"],
        (i, bad) => [
          String(1000 + i),
          day(i),
          `deal_${i}`,
          bad ? "Won" : pick(["Working", "Negotiation", "Closed won"]),
          `partner-${i % 1000}`,
          `Account ${i % 777}`,
        ],
      );
  }
}
