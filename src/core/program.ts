import { z } from "zod";

/**
 * A program's configuration: what the service is told by a config file, and, less its users, what the
 * add-on learns from `GET /v1/objects` to extend the catalogue.
 */

const key = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    "a key is letters, digits, _ . or -, starting with a letter or digit",
  );
const fieldKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, "a field key is lower-case letters, digits and _, starting with a letter");

export const customFieldSchema = z
  .object({
    key: fieldKey,
    name: z.string().min(1).max(200).optional(),
    type: z.enum(["text", "number", "date", "choice", "boolean"]),
    required: z.boolean().default(false),
    options: z.array(z.string().min(1).max(200)).min(1).optional(),
    description: z.string().max(500).optional(),
  })
  .refine((f) => f.type !== "choice" || (f.options?.length ?? 0) > 0, {
    message: "a choice field needs its options",
    path: ["options"],
  });

export const groupSchema = z.object({
  key,
  name: z.string().min(1).max(200),
  default: z.boolean().default(false),
  features: z.array(z.enum(["leads", "deals"])).default([]),
  lead_fields: z.array(customFieldSchema).default([]),
  deal_stages: z.array(z.string().min(1).max(100)).default([]),
});

export const currencyRatesSchema = z.object({
  as_of: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "as_of is a date as YYYY-MM-DD"),
  usd_per_unit: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().positive()),
});

export const programSchema = z.object({
  key,
  name: z.string().min(1).max(200),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default("USD"),
});

/** The catalogue-relevant part of a program: everything but its users. */
export const programCatalogueSchema = z.object({
  program: programSchema,
  groups: z.array(groupSchema).default([]),
  tiers: z.array(z.object({ key, name: z.string().min(1).max(200) })).default([]),
  partner_fields: z.array(customFieldSchema).default([]),
  currency_rates: currencyRatesSchema.optional(),
});

export const userSchema = z.discriminatedUnion("role", [
  z.object({
    email: z.email(),
    role: z.enum(["admin", "technical"]),
    api_key: z.string().min(16).optional(),
  }),
  z.object({
    email: z.email(),
    role: z.literal("custom"),
    permissions: z.array(z.string()).default([]),
    api_key: z.string().min(16).optional(),
  }),
  z.object({
    email: z.email(),
    role: z.literal("partner"),
    partner_key: z.string().min(1),
    api_key: z.string().min(16).optional(),
  }),
]);

export const programConfigSchema = programCatalogueSchema
  .extend({ users: z.array(userSchema).default([]) })
  .superRefine((config, ctx) => {
    const dupes = (values: string[], path: string) => {
      const seen = new Set<string>();
      for (const v of values) {
        if (seen.has(v))
          ctx.addIssue({ code: "custom", message: `${path} "${v}" is listed twice`, path: [path] });
        seen.add(v);
      }
    };
    dupes(
      config.groups.map((g) => g.key),
      "groups",
    );
    dupes(
      config.tiers.map((t) => t.key),
      "tiers",
    );
    dupes(
      config.users.map((u) => u.email.toLowerCase()),
      "users",
    );
    if (config.groups.filter((g) => g.default).length > 1)
      ctx.addIssue({ code: "custom", message: "only one group can be the default", path: ["groups"] });
  });

export type CustomField = z.infer<typeof customFieldSchema>;
export type Group = z.infer<typeof groupSchema>;
export type ProgramCatalogue = z.infer<typeof programCatalogueSchema>;
export type ProgramConfig = z.infer<typeof programConfigSchema>;
export type ProgramUser = z.infer<typeof userSchema>;
