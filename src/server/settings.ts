import { z } from "zod";

const postgresUrl = (name: string) =>
  z
    .string()
    .regex(/^postgres(ql)?:\/\//, `${name} is a postgresql:// address`)
    .optional();

/** Room for 8 imports sending rows at once, the upload worker's connection and 3 for other requests. */
export const DEFAULT_POOL_MAX = 12;

/** The service's settings, from the environment (DESIGN.md). */
export const settingsSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: postgresUrl("DATABASE_URL"),
    /**
     * The role that owns the tables: migrations and pg-boss's schema run through it, and it grants
     * DATABASE_URL's role what the service needs. Unset, DATABASE_URL's role does both.
     */
    DATABASE_OWNER_URL: postgresUrl("DATABASE_OWNER_URL"),
    /**
     * PostgreSQL connections the service keeps at most (DATABASE_URL). The chunks of one import take
     * turns and hold one connection between them (and briefly a second while a table is analysed: one
     * that has doubled, or one the import's rows have doubled), so this is about the imports sending rows at once, plus the upload worker's and a few
     * for other requests.
     */
    DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(1000).default(DEFAULT_POOL_MAX),
    IMPORTER_DATA_DIR: z.string().min(1).default(".importer-data"),
    IMPORTER_CONFIG: z.string().min(1).optional(),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, "SMTP_URL is an smtp:// or smtps:// address")
      .optional(),
  })
  .refine((s) => !s.DATABASE_OWNER_URL || s.DATABASE_URL, {
    path: ["DATABASE_OWNER_URL"],
    message: "DATABASE_OWNER_URL needs DATABASE_URL, the service's own role",
  });

export type Settings = z.infer<typeof settingsSchema>;

/** Reads the settings, ignoring empty variables; a bad value stops the service with a message naming it. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success)
    throw new Error(
      `Bad settings: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}
