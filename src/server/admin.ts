import { parseArgs } from "node:util";
import { openDatabase } from "./db/database";
import { createRoles } from "./db/roles";
import { ApiError } from "./errors";
import { createKey, revokeKey } from "./keys";
import { readSettings } from "./settings";
import { applyConfigFile, openStore } from "./start";

const USAGE = `Usage: npm run admin -- <command>
  apply FILE                                  apply a program config (JSON); applying it again changes nothing
  create-key --program KEY --user EMAIL       make an API key for a user; it is printed once, on the last line
  revoke-key --program KEY --key API_KEY      end one key
  revoke-key --program KEY --user EMAIL       end every key of a user
  create-roles [--owner NAME] [--service NAME]
                                              on PostgreSQL, the role that owns the tables (importer_owner)
                                              and the service's (importer), which may only add to the audit
                                              log; DATABASE_URL is a role that may create roles`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = readArgs(argv);
  const [command, file] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!command) throw new UsageError("Name a command: apply, create-key, revoke-key or create-roles");
  const need = (name: "program" | "user") => {
    const v = values[name];
    if (!v) throw new UsageError(`${command} needs --${name}`);
    return v;
  };
  if (!["apply", "create-key", "revoke-key", "create-roles"].includes(command))
    throw new UsageError(`Unknown command "${command}"`);
  if (command === "create-roles")
    return setUpRoles(values.owner ?? "importer_owner", values.service ?? "importer");
  if (command === "apply" && !file)
    throw new UsageError("apply needs the config file: npm run admin -- apply FILE");
  if (command !== "apply") need("program");
  if (command === "create-key") need("user");
  if (command === "revoke-key" && !values.key && !values.user)
    throw new UsageError("revoke-key needs --key or --user");

  const db = await openStore({ ...readSettings(), IMPORTER_CONFIG: undefined });
  try {
    if (command === "apply") {
      await applyConfigFile(db, file as string);
      console.log(`Applied ${file}.`);
    } else if (command === "create-key") {
      const key = await createKey(db, need("program"), need("user"));
      console.log(`A new key for ${values.user} in ${values.program}; it is shown this once:`);
      console.log(key);
    } else {
      const ended = await revokeKey(db, {
        programKey: need("program"),
        ...(values.key ? { key: values.key } : {}),
        ...(values.user ? { email: values.user } : {}),
      });
      if (!ended) throw new ApiError(404, "not_found", "No active key matched; nothing was revoked.");
      console.log(`Revoked ${ended} key${ended === 1 ? "" : "s"}.`);
    }
  } finally {
    await db.close();
  }
  return 0;
}

/** create-roles: makes the two roles through DATABASE_URL and prints what it did and what to set. */
async function setUpRoles(owner: string, service: string): Promise<number> {
  const url = readSettings().DATABASE_URL;
  if (!url)
    throw new UsageError("create-roles is for PostgreSQL: set DATABASE_URL to a role that may create roles");
  const db = await openDatabase({ url });
  try {
    const created = await createRoles(db, url, { owner, service });
    for (const line of created.done) console.log(line);
    console.log("Set these for the service and the admin commands (a new password is shown this once):");
    console.log(`DATABASE_OWNER_URL=${created.ownerUrl}`);
    console.log(`DATABASE_URL=${created.serviceUrl}`);
  } finally {
    await db.close();
  }
  return 0;
}

class UsageError extends Error {}

/** The command line; an unknown option or one without its value is a usage error, like a missing one. */
function readArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        program: { type: "string" },
        user: { type: "string" },
        key: { type: "string" },
        owner: { type: "string" },
        service: { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    if (error instanceof UsageError) console.error(USAGE);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
