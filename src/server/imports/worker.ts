import PgBoss from "pg-boss";
import type { Database, Queryable } from "../db/database";
import { applyStaged, failStaged } from "./applyStaged";
import { dropOrphanStaging } from "./staging";

/** The queue of uploads to apply, and the one pg-boss moves a job to when its tries are spent. */
const QUEUE = "csv-upload";
const FAILED_QUEUE = "csv-upload-failed";
/** Tries after the first for a job whose chunk throws; then the import ends `failed`. */
const RETRIES = 3;
/** A worker holds this advisory lock (with the job's hash) while it works a job: gone when it dies. */
const JOB_LOCK = 727302;
/**
 * A job applies chunks for this long, then hands the rest to a new job: imports take turns, and no
 * job comes near pg-boss's expiry (15 minutes), past which it would be failed while still running.
 */
const SLICE_MS = 30_000;
/** How often, on PostgreSQL, a service looks for jobs whose worker died. */
const RESCUE_MS = 2_000;
/** A job taken back from dead workers this many times ends its import instead of trying again. */
const MAX_RESCUES = 20;
/** An upload applied inside its request still has a job, started this late, in case the process dies. */
const INLINE_GRACE_SECONDS = 60;

interface UploadJob {
  importId: string;
  /** How many times this import's work was taken back from a worker that died. */
  rescues?: number;
}

export interface UploadWorkerEvents {
  /** An import was completed (the outbox may have mail to send). */
  completed?: () => void;
  error?: (error: unknown) => void;
}

/** pg-boss's adapter over one transaction, so a job is sent or ended together with other work. */
const inTransaction = (tx: Queryable) => ({
  executeSql: (sql: string, values?: unknown[]) => tx.query(sql, values),
});

/** pg-boss's tables, in a schema beside ours, so services on other schemas never share jobs. */
async function bossSchema(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ schema: string }>("SELECT current_schema() AS schema");
  const current = rows[0]?.schema ?? "public";
  return current === "public" ? "pgboss" : `${current}_pgboss`;
}

/**
 * Makes pg-boss's schema (or brings it to this pg-boss's version) and the upload queues: part of
 * migrating, by the role that owns the tables. Returns the schema.
 */
export async function installQueues(db: Database): Promise<string> {
  const schema = await bossSchema(db);
  const boss = new PgBoss({
    db: { executeSql: (sql, values) => db.executeSql(sql, values) },
    schema,
    schedule: false,
    supervise: false,
  });
  await boss.start();
  try {
    await boss.createQueue(FAILED_QUEUE);
    await boss.createQueue(QUEUE, {
      name: QUEUE,
      retryLimit: RETRIES,
      retryDelay: 1,
      retryBackoff: true,
      deadLetter: FAILED_QUEUE,
    });
  } finally {
    await boss.stop({ graceful: false, close: false });
  }
  return schema;
}

/**
 * The worker that applies staged uploads, through pg-boss on our own database (PostgreSQL or
 * PGlite): any replica claims the next job, a restart goes on from the last committed chunk, and
 * stop() finishes the chunk in hand and leaves the rest to a job for the next start.
 *
 * A job whose process died stays `active` in pg-boss until its expiry; we take it back at once
 * instead. On PGlite one process owns the data directory, so an active job at start is an orphan. On
 * PostgreSQL a worker holds a session advisory lock on the job while it works it: a rescue pass
 * (every few seconds, in every service) takes back active jobs whose lock is free. Either way the job
 * is cancelled and a new one sent for the import, in one transaction; applyChunk makes a chunk that
 * two runs reach apply once.
 */
export class UploadWorker {
  #boss: PgBoss | null = null;
  #schema = "pgboss";
  #workerId: string | null = null;
  #stopping = false;
  #rescuing: NodeJS.Timeout | null = null;
  /** Jobs this process is working: never taken back by its own rescue pass. */
  readonly #working = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly events: UploadWorkerEvents = {},
  ) {}

  private get boss(): PgBoss {
    if (!this.#boss) throw new Error("The upload worker is not started");
    return this.#boss;
  }

  async start(): Promise<void> {
    this.#schema = await bossSchema(this.db);
    // Its tables and queues are the migrator's (installQueues): the service's role may not make them.
    const boss = new PgBoss({
      db: { executeSql: (sql, values) => this.db.executeSql(sql, values) },
      schema: this.#schema,
      migrate: false,
      schedule: false,
      supervise: true,
    });
    boss.on("error", (error) => this.events.error?.(error));
    await boss.start();
    this.#boss = boss;
    await dropOrphanStaging(this.db);
    await this.rescue();
    this.#workerId = await boss.work<UploadJob>(
      QUEUE,
      { batchSize: 1, pollingIntervalSeconds: 1 },
      async ([job]) => {
        if (job) await this.work(job);
      },
    );
    await boss.work<UploadJob>(FAILED_QUEUE, { batchSize: 1, pollingIntervalSeconds: 2 }, async ([job]) => {
      if (job)
        await failStaged(
          this.db,
          job.data.importId,
          `its rows could not be applied after ${RETRIES + 1} tries`,
        );
    });
    if (this.db.kind === "postgres")
      this.#rescuing = setInterval(
        () => void this.rescue().catch((error) => this.events.error?.(error)),
        RESCUE_MS,
      );
  }

  /** Finishes the chunk in hand; the rest of its import is left to a job for the next start. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#rescuing) clearInterval(this.#rescuing);
    await this.#boss?.stop({ graceful: true, wait: true, close: false, timeout: 120_000 });
  }

  /**
   * Sends the import's job inside the transaction that stages its rows: both commit, or neither. An
   * upload applied inline gets a job that starts later, as a safety net should the process die first.
   */
  async enqueue(tx: Queryable, importId: string, { inline = false } = {}): Promise<string | null> {
    return this.boss.send(QUEUE, { importId } satisfies UploadJob, {
      db: inTransaction(tx),
      ...(inline ? { startAfter: INLINE_GRACE_SECONDS } : {}),
    });
  }

  /**
   * Applies a small upload inside its request; its safety-net job goes once that is done. A chunk that
   * fails is logged and left to that job's tries: the request answers with the import as it stands
   * (rows before it may be written), never with the database's message.
   */
  async runInline(importId: string, jobId: string): Promise<void> {
    let outcome: Awaited<ReturnType<typeof applyStaged>>;
    try {
      outcome = await applyStaged(this.db, importId, () => this.#stopping);
    } catch (error) {
      this.events.error?.(error);
      return;
    }
    if (outcome === "paused") return;
    await this.boss.deleteJob(QUEUE, jobId);
    if (outcome === "completed") this.events.completed?.();
  }

  /** Lets this process's worker fetch at once, instead of at its next poll. */
  wake(): void {
    if (this.#workerId) this.boss.notifyWorker(this.#workerId);
  }

  private async work(job: PgBoss.Job<UploadJob>): Promise<void> {
    const { importId, rescues = 0 } = job.data;
    if (rescues > MAX_RESCUES)
      return failStaged(this.db, importId, `its work was interrupted ${rescues} times`);
    this.#working.add(job.id);
    const session = this.db.kind === "postgres" ? await this.db.reserve() : null;
    try {
      if (session) {
        await session.query("SELECT pg_advisory_lock($1, hashtext($2))", [JOB_LOCK, job.id]);
        // A rescue pass may have taken the job back between its fetch and this lock.
        if ((await this.boss.getJobById(QUEUE, job.id))?.state !== "active") return;
      }
      const deadline = Date.now() + SLICE_MS;
      const outcome = await applyStaged(this.db, importId, () => this.#stopping || Date.now() > deadline);
      if (outcome === "paused") await this.handOver(job, rescues);
      if (outcome === "completed") this.events.completed?.();
    } catch (error) {
      this.events.error?.(error);
      throw error; // pg-boss retries the job, then moves it to FAILED_QUEUE
    } finally {
      this.#working.delete(job.id);
      // Dropping the session lets its lock go, whatever state the connection is in.
      session?.release();
    }
  }

  /** Ends a paused job and sends the next for the rest of its import, in one transaction. */
  private async handOver(job: PgBoss.Job<UploadJob>, rescues: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const db = inTransaction(tx);
      await this.boss.send(QUEUE, { importId: job.data.importId, rescues } satisfies UploadJob, { db });
      await this.boss.complete(QUEUE, job.id, {}, { db });
    });
  }

  /** Takes back the active jobs whose worker is gone (see the class's comment). */
  private async rescue(): Promise<void> {
    const { rows } = await this.db.query<{ id: string; data: UploadJob }>(
      `SELECT id, data FROM ${this.#schema}.job WHERE name = $1 AND state = 'active'`,
      [QUEUE],
    );
    for (const job of rows) {
      if (this.#working.has(job.id)) continue;
      await this.db.transaction(async (tx) => {
        const { rows: lock } = await tx.query<{ free: boolean }>(
          "SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS free",
          [JOB_LOCK, job.id],
        );
        if (!lock[0]?.free) return; // its worker is alive
        const { rows: still } = await tx.query(
          `SELECT 1 FROM ${this.#schema}.job WHERE name = $1 AND id = $2 AND state = 'active' FOR UPDATE`,
          [QUEUE, job.id],
        );
        if (!still.length) return;
        const db = inTransaction(tx);
        await this.boss.cancel(QUEUE, job.id, { db });
        await this.boss.send(
          QUEUE,
          { importId: job.data.importId, rescues: (job.data.rescues ?? 0) + 1 } satisfies UploadJob,
          { db },
        );
      });
    }
  }
}
