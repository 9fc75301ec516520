import { join } from "node:path";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";

/** One HTTP request, ready to send: the add-on's parameters already turned into bytes and headers. */
export interface HttpRequest {
  url: string;
  method: string;
  headers: [string, string][];
  body: Uint8Array | null;
  followRedirects: boolean;
  validateHttpsCertificates: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** What came back: a response (any status), or why none did. `ms` is the request's round trip. */
export type HttpOutcome =
  | { ok: true; status: number; headers: [string, string][]; body: Uint8Array; ms: number }
  | { ok: false; failure: "dns" | "unreachable" | "timeout" | "too-large"; detail: string; ms: number };

/** How much longer than its slowest request a call waits for the worker before giving it up as stuck. */
const GRACE_MS = 5_000;

/**
 * HTTP the way Apps Script does it: synchronously. A worker thread (httpWorker.mjs) performs the requests
 * with Node's http/https while this thread sleeps in `Atomics.wait` on a SharedArrayBuffer; the worker
 * posts the answers on a MessagePort, then wakes this thread, which reads them with
 * `receiveMessageOnPort`. Bodies are transferred, not copied, so a 50 MB response needs no buffer sized in
 * advance. One worker serves every call; it starts with the first, does not keep the process alive, and
 * `close()` ends it.
 */
export class BlockingHttp {
  private worker?: Worker;
  private port?: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private sequence = 0;

  /** Sends the requests side by side and blocks until every one has its outcome, in order. */
  requestAll(requests: readonly HttpRequest[]): HttpOutcome[] {
    if (requests.length === 0) return [];
    const { worker, port } = this.start();
    const id = ++this.sequence;
    const patience = Math.max(...requests.map((request) => request.timeoutMs)) + GRACE_MS;
    const deadline = Date.now() + patience;

    Atomics.store(this.signal, 0, 0);
    worker.postMessage({ id, requests });
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        // The worker may still answer later: a new one takes over, so nothing stale is ever read.
        this.stop();
        return requests.map(() => ({
          ok: false,
          failure: "timeout",
          detail: "no answer from the worker",
          ms: patience,
        }));
      }
      Atomics.wait(this.signal, 0, 0, left);
      const results = this.receive(port, id);
      if (results) return results;
      // Only something stale was there: re-arm the signal and look once more before sleeping again,
      // since the worker posts its answer before it signals.
      Atomics.store(this.signal, 0, 0);
      const late = this.receive(port, id);
      if (late) return late;
    }
  }

  private receive(port: MessagePort, id: number): HttpOutcome[] | undefined {
    for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) {
      const answer = message.message as { id: number; results: HttpOutcome[] };
      if (answer.id === id) return answer.results;
    }
    return undefined;
  }

  /** Ends the worker (a later request starts another). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.stop();
    await worker?.terminate();
  }

  private start(): { worker: Worker; port: MessagePort } {
    if (this.worker && this.port) return { worker: this.worker, port: this.port };
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(join(__dirname, "httpWorker.mjs"), {
      workerData: { signal: this.signal.buffer, port: port2 },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    this.worker = worker;
    this.port = port1;
    return { worker, port: port1 };
  }

  private stop(): void {
    void this.worker?.terminate();
    this.port?.close();
    this.worker = undefined;
    this.port = undefined;
  }
}
