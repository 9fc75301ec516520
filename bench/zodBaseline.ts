import { z } from "zod";
import type { ObjectName } from "../src/core";

/** The straightforward way: one zod object schema per object, `safeParse` on each row as an object. */
const opt = (s: z.ZodType) => z.preprocess((v) => (v === "" ? undefined : v), s.optional());
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const cents = z.coerce.number().int();

export const zodSchemas: Record<ObjectName, z.ZodType> = {
  partners: z.object({
    partner_email: opt(z.email()),
    partner_key: opt(z.string().max(255)),
    first_name: opt(z.string().max(255)),
    last_name: opt(z.string().max(255)),
    partner_joined_date: opt(date),
    tags: opt(z.string().transform((s) => s.split(",").map((t) => t.trim()))),
    shipping_address_city: opt(z.string().max(255)),
    shipping_address_postal: opt(z.string().max(255)),
  }),
  customers: z.object({
    email: z.email(),
    customer_key: opt(z.string().max(255)),
    partner_key: opt(z.string().max(255)),
    name: opt(z.string().max(255)),
    created_at: opt(date),
    company_name: opt(z.string().max(255)),
    postal: opt(z.string().max(255)),
  }),
  transactions: z.object({
    customer_key: opt(z.string().max(255)),
    amount: cents,
    currency: opt(z.string().regex(/^[A-Z]{3}$/)),
    key: opt(z.string().min(4).max(255)),
    created_at: opt(date),
    "metadata.agreement": opt(z.string().max(100)),
  }),
  rewards: z.object({
    partner_key: opt(z.string().max(255)),
    amount_in_cents: opt(cents),
    body: z.string().min(1).max(1000),
    target_type: opt(z.enum(["customer", "transaction"])),
    target_key: opt(z.string().max(255)),
    status: opt(z.enum(["pending", "declined", "hold", "approved", "paid"])),
    is_external: opt(z.enum(["true", "false"])),
  }),
  leads: z.object({
    partner_key: z.string().min(1),
    email: z.email(),
    first_name: z.string().min(1),
    last_name: z.string().min(1),
    status: opt(z.enum(["open", "closed", "dead", "closed won", "closed lost"])),
    external_key: opt(z.string().max(255)),
  }),
  deals: z.object({
    amount: cents,
    close_date: date,
    external_key: z.string().min(1),
    stage: z.enum(["Working", "Negotiation", "Closed won", "Closed lost"]),
    partner_key: opt(z.string().max(255)),
    account_name: opt(z.string().max(255)),
  }),
};
