import nodemailer from "nodemailer";
import type { Database } from "./db/database";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export function smtpMailer(
  url: string,
  from = "Channel Importer <no-reply@channel-importer.invalid>",
): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
  };
}

interface OutboxRow {
  id: number;
  kind: string;
  to_email: string;
  payload: { partner_key?: string; program?: string };
}

const sending = new WeakMap<Database, Promise<unknown>>();

/**
 * Sends what waits in the outbox; a failed send stays there with its error, to be tried again. Calls
 * on one database take turns, so two imports that finish together send each invite once.
 */
export function sendOutbox(db: Database, mailer: Mailer, limit = 100): Promise<number> {
  const send = () => sendWaiting(db, mailer, limit);
  const turn = (sending.get(db) ?? Promise.resolve()).then(send, send);
  sending.set(db, turn);
  return turn;
}

async function sendWaiting(db: Database, mailer: Mailer, limit: number): Promise<number> {
  const { rows } = await db.query<OutboxRow>(
    "SELECT id, kind, to_email, payload FROM outbox WHERE sent_at IS NULL AND attempts < 5 ORDER BY id LIMIT $1",
    [limit],
  );
  let sent = 0;
  for (const row of rows) {
    // Claimed before it is sent (sent_at set, given back if sending fails): an undo that withdraws the
    // invites of its partners either removes it before the claim, or sees it sent, never both.
    const { rows: claimed } = await db.query(
      "UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1 AND sent_at IS NULL RETURNING id",
      [row.id],
    );
    if (!claimed.length) continue;
    try {
      await mailer.send(inviteMail(row));
      sent++;
    } catch (error) {
      await db.query("UPDATE outbox SET sent_at = NULL, last_error = $2 WHERE id = $1", [
        row.id,
        (error as Error).message,
      ]);
    }
  }
  return sent;
}

function inviteMail(row: OutboxRow): Mail {
  const program = row.payload.program ?? "our partner program";
  return {
    to: row.to_email,
    subject: `You're invited to ${program}`,
    text: `Hello,\n\nYou have been added to ${program} as a partner (key ${row.payload.partner_key ?? "-"}).\nClaim your account to sign in to the partner portal.\n`,
  };
}
