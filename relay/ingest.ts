/**
 * POST /webhooks/moshtix: authenticate the sender by its secret header (constant time), cap the body
 * at 1 MiB, and answer only after the delivery is durably committed: 200 `{"status":"accepted",
 * "delivery":ID}`. Applying it to tickets and the log may follow in a later transaction (the store's
 * `onApplied`). Bodies that are not valid deliveries are kept in quarantine and answered 202, so
 * Moshtix stops retrying and nothing is lost.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogger } from '../shared/logger.js';
import { WEBHOOK_SECRET_HEADER } from '../shared/moshtix.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayStore } from './store/types.js';

export const MAX_BODY_BYTES = 1024 * 1024;
const log = createLogger('relay.ingest');

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Constant-time comparison of a presented secret with the configured one, whatever their lengths. */
export function isSecretValid(presented: string | undefined, expected: Buffer): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), expected);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

type BodyRead = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'aborted' };

function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      resolve({ ok: false, reason: 'too_large' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let isDone = false;
    request.on('data', (chunk: Buffer) => {
      if (isDone) return;
      size += chunk.length;
      if (size > limit) {
        isDone = true;
        resolve({ ok: false, reason: 'too_large' });
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (isDone) return;
      isDone = true;
      resolve({ ok: true, text: Buffer.concat(chunks, size).toString('utf8') });
    });
    request.on('error', () => {
      if (isDone) return;
      isDone = true;
      resolve({ ok: false, reason: 'aborted' });
    });
  });
}

export interface IngestRoute {
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

export function createIngestRoute(
  store: Pick<RelayStore, 'acceptDelivery'>,
  metrics: RelayMetrics,
  secret: string,
): IngestRoute {
  const expected = digest(secret);
  return {
    async handle(request, response) {
      const started = process.hrtime.bigint();
      const presented = request.headers[WEBHOOK_SECRET_HEADER.toLowerCase()];
      if (!isSecretValid(typeof presented === 'string' ? presented : undefined, expected)) {
        metrics.countDelivery('unauthorized');
        // Drain nothing: close the connection so an unauthenticated sender cannot stream into us.
        response.setHeader('connection', 'close');
        sendJson(response, 401, {
          status: 'unauthorized',
          error: `${WEBHOOK_SECRET_HEADER}: missing or wrong`,
        });
        return;
      }
      const body = await readBody(request, MAX_BODY_BYTES);
      if (!body.ok) {
        if (body.reason === 'aborted') return;
        metrics.countDelivery('too_large');
        response.setHeader('connection', 'close');
        sendJson(response, 413, {
          status: 'too_large',
          error: `(body): larger than ${MAX_BODY_BYTES} bytes`,
        });
        return;
      }
      let result;
      try {
        result = await store.acceptDelivery({
          body: body.text,
          receivedAt: new Date().toISOString(),
          origin: 'webhook',
        });
      } catch (error) {
        metrics.countDelivery('failed');
        log.error('delivery not stored', { error: (error as Error).message });
        // 503 makes Moshtix retry later: nothing was acknowledged, so nothing is lost.
        sendJson(response, 503, { status: 'error', error: 'store unavailable, retry' });
        return;
      }
      if (result.status === 'quarantined') {
        metrics.countDelivery('quarantined');
        log.warn('delivery quarantined', { id: result.quarantineId, error: result.error });
        sendJson(response, 202, { status: 'quarantined', error: result.error });
      } else {
        // The outcome (applied, duplicate, …) is counted when the delivery is applied.
        sendJson(response, 200, { status: 'accepted', delivery: result.deliveryId });
      }
      metrics.observeIngest(Number(process.hrtime.bigint() - started) / 1e9);
    },
  };
}
