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

/**
 * How long a claim on an invite holds: a sender that stopped mid-send (a crash) gives it up after this,
 * and the invite is sent again (at least once, never lost); an undo counts a fresh claim as sent.
 */
export const CLAIM_LEASE = "10 minutes";

async function sendWaiting(db: Database, mailer: Mailer, limit: number): Promise<number> {
  const { rows } = await db.query<OutboxRow>(
    `SELECT id, kind, to_email, payload FROM outbox
     WHERE sent_at IS NULL AND attempts < 5 AND (claimed_at IS NULL OR claimed_at < now() - interval '${CLAIM_LEASE}')
     ORDER BY id LIMIT $1`,
    [limit],
  );
  let sent = 0;
  for (const row of rows) {
    // Claimed before it is sent: another sender (a replica) leaves it alone, and an undo that withdraws
    // the invites of its partners either removes it before the claim or counts it as sent, never both.
    const { rows: claimed } = await db.query(
      `UPDATE outbox SET claimed_at = now() WHERE id = $1 AND sent_at IS NULL
         AND (claimed_at IS NULL OR claimed_at < now() - interval '${CLAIM_LEASE}') RETURNING id`,
      [row.id],
    );
    if (!claimed.length) continue;
    try {
      await mailer.send(inviteMail(row));
      await db.query("UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1", [row.id]);
      sent++;
    } catch (error) {
      await db.query(
        "UPDATE outbox SET claimed_at = NULL, attempts = attempts + 1, last_error = $2 WHERE id = $1",
        [row.id, (error as Error).message],
      );
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
