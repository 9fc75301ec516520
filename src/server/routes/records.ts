import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { type ObjectName, resolveObject } from "../../core";
import { requireImporter } from "../caller";
import type { Database } from "../db/database";
import { decodeCursor, encodeCursor, idPosition, pageQuery } from "./paging";
import { text } from "./text";

/** How each object is read back: its columns under their import names, and what the filters match. */
const READS: Record<ObjectName, { select: string; key: string; email: string }> = {
  partners: {
    select: `SELECT t.id, t.key AS partner_key, t.email AS partner_email, t.first_name, t.last_name,
      t.joined_date AS partner_joined_date, t.group_key, t.tier_key, t.tags, t.shipping_address_line1,
      t.shipping_address_line2, t.shipping_address_city, t.shipping_address_state, t.shipping_address_postal,
      t.shipping_address_country, t.fields, t.created_at AS recorded_at, t.updated_at FROM partners t`,
    key: "t.key",
    email: "t.email",
  },
  customers: {
    select: `SELECT t.id, t.key AS customer_key, t.email, p.key AS partner_key, t.name, t.signed_up_on AS created_at,
      t.company_name, t.state, t.unit, t.postal, t.created_at AS recorded_at, t.updated_at
      FROM customers t LEFT JOIN partners p ON p.id = t.partner_id`,
    key: "t.key",
    email: "t.email",
  },
  transactions: {
    select: `SELECT t.id, t.key, c.key AS customer_key, c.email AS customer_email, t.amount, t.currency,
      t.happened_on AS created_at, t.category_key, t.product_key, t.metadata, t.import_id, t.import_row,
      t.created_at AS recorded_at
      FROM transactions t JOIN customers c ON c.id = t.customer_id`,
    key: "t.key",
    email: "c.email",
  },
  rewards: {
    select: `SELECT t.id, t.key, p.key AS partner_key, p.email AS partner_email, t.amount_usd_cents, t.original_amount_cents,
      t.original_currency, t.usd_per_unit, t.body, t.target_type,
      COALESCE(tc.key, tt.key) AS target_key, t.rewarded_at AS created_at, t.status, t.decline_reason, t.is_external,
      t.import_id, t.import_row, t.created_at AS recorded_at
      FROM rewards t JOIN partners p ON p.id = t.partner_id
      LEFT JOIN customers tc ON t.target_type = 'customer' AND tc.id = t.target_id
      LEFT JOIN transactions tt ON t.target_type = 'transaction' AND tt.id = t.target_id`,
    key: "p.key",
    email: "p.email",
  },
  leads: {
    select: `SELECT t.id, t.group_key, p.key AS partner_key, t.email, t.first_name, t.last_name, t.status, t.external_key,
      t.fields, t.import_id, t.import_row, t.created_at AS recorded_at, t.updated_at FROM leads t JOIN partners p ON p.id = t.partner_id`,
    key: "t.external_key",
    email: "t.email",
  },
  deals: {
    select: `SELECT t.id, t.group_key, t.external_key, t.amount, t.close_date, t.stage, p.key AS partner_key,
      t.account_name, t.contact_first_name, t.contact_last_name, t.opened_on AS created_at,
      t.created_at AS recorded_at, t.updated_at FROM deals t LEFT JOIN partners p ON p.id = t.partner_id`,
    key: "t.external_key",
    email: "NULL",
  },
};

export async function recordRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/:object",
    {
      schema: {
        summary: "The stored partners, customers, transactions, rewards, leads or deals (cursor paging)",
        params: z.object({ object: text() }),
        querystring: pageQuery.extend({ key: text().optional(), email: text().optional() }),
      },
    },
    async (request) => {
      const caller = await requireImporter(db, request);
      const object = resolveObject(request.params.object);
      const read = READS[object];
      const { limit, cursor, key, email } = request.query;
      const after = decodeCursor(cursor, idPosition);
      const { rows } = await db.query<{ id: number }>(
        `${read.select} WHERE t.program_id = $1 AND ($2::bigint IS NULL OR t.id > $2)
           AND ($3::text IS NULL OR ${read.key} = $3) AND ($4::text IS NULL OR ${read.email} = lower($4))
         ORDER BY t.id LIMIT $5`,
        [caller.program.id, after?.id ?? null, key ?? null, email ?? null, limit + 1],
      );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { data: page, next_cursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
    },
  );
}
