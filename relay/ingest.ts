/**
 * POST /webhooks/moshtix: authenticate the sender by its secret header (constant time), cap the body
 * at 1 MiB, and answer only after the delivery is durably committed: 200 `{"status":"accepted",
 * "delivery":ID}`. Applying it to tickets and the log may follow in a later transaction (the store's
 * `onApplied`). Bodies that are not valid deliveries are kept in quarantine and answered 202, so
 * Moshtix stops retrying and nothing is lost.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogger } from '../shared/logger.js';
import { WEBHOOK_SECRET_HEADER } from '../shared/moshtix.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayStore } from './store/types.js';

export const MAX_BODY_BYTES = 1024 * 1024;
const log = createLogger('relay.ingest');
const WEBHOOK_SECRET_HEADER_KEY = WEBHOOK_SECRET_HEADER.toLowerCase();

const digest = (text: string): Buffer => hash('sha256', text, 'buffer');

/** Constant-time comparison of a presented secret with the configured one, whatever their lengths. */
export function isSecretValid(presented: string | undefined, expected: Buffer): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), expected);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  sendJsonText(response, status, JSON.stringify(body));
}

function sendJsonText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

export interface IngestRoute {
  /** Answers the request in its own time; it never throws. */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Resolves once every delivery being received or stored has been answered (or its client left). */
  settled(): Promise<void>;
}

/**
 * The route runs once per webhook, so it holds no promise of its own per request (the store's is
 * the one): a request counts as in flight from its headers until its response closes.
 */
export function createIngestRoute(
  store: Pick<RelayStore, 'acceptDelivery'>,
  metrics: RelayMetrics,
  secret: string,
): IngestRoute {
  const expected = digest(secret);
  let inFlight = 0;
  let whenSettled: (() => void) | null = null;
  const finished = () => {
    inFlight -= 1;
    if (inFlight === 0) whenSettled?.();
  };

  const refuse = (response: ServerResponse, status: number, body: unknown) => {
    // Drain nothing: close the connection so a refused sender cannot stream into us.
    response.setHeader('connection', 'close');
    sendJson(response, status, body);
  };

  const storeAndAnswer = (response: ServerResponse, body: string, started: bigint) => {
    store.acceptDelivery({ body, receivedAt: new Date().toISOString(), origin: 'webhook' }).then(
      (result) => {
        if (result.status === 'quarantined') {
          metrics.countDelivery('quarantined');
          log.warn('delivery quarantined', { id: result.quarantineId, error: result.error });
          sendJson(response, 202, { status: 'quarantined', error: result.error });
        } else {
          // The outcome (applied, duplicate, …) is counted when the delivery is applied.
          sendJsonText(response, 200, `{"status":"accepted","delivery":${result.deliveryId}}`);
        }
        metrics.observeIngest(Number(process.hrtime.bigint() - started) / 1e9);
      },
      (error: unknown) => {
        metrics.countDelivery('failed');
        log.error('delivery not stored', { error: (error as Error).message });
        // 503 makes Moshtix retry later: nothing was acknowledged, so nothing is lost.
        sendJson(response, 503, { status: 'error', error: 'store unavailable, retry' });
      },
    );
  };

  return {
    handle(request, response) {
      const started = process.hrtime.bigint();
      const presented = request.headers[WEBHOOK_SECRET_HEADER_KEY];
      if (!isSecretValid(typeof presented === 'string' ? presented : undefined, expected)) {
        metrics.countDelivery('unauthorized');
        refuse(response, 401, {
          status: 'unauthorized',
          error: `${WEBHOOK_SECRET_HEADER}: missing or wrong`,
        });
        return;
      }
      const tooLarge = () => {
        metrics.countDelivery('too_large');
        refuse(response, 413, { status: 'too_large', error: `(body): larger than ${MAX_BODY_BYTES} bytes` });
      };
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
        tooLarge();
        return;
      }
      inFlight += 1;
      response.once('close', finished);
      // A body usually arrives in one chunk: it is kept as is, and copied only when there are more.
      let first: Buffer | null = null;
      let chunks: Buffer[] | null = null;
      let size = 0;
      let isDone = false;
      request.on('data', (chunk: Buffer) => {
        if (isDone) return;
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          isDone = true;
          tooLarge();
          return;
        }
        if (first === null) first = chunk;
        else (chunks ??= [first]).push(chunk);
      });
      request.on('end', () => {
        if (isDone) return;
        isDone = true;
        const bytes = chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0));
        storeAndAnswer(response, bytes.toString('utf8'), started);
      });
      // An aborted request leaves nothing to answer; its response closes with the connection.
      request.on('error', () => {
        isDone = true;
      });
    },
    settled() {
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        whenSettled = resolve;
      });
    },
  };
}
