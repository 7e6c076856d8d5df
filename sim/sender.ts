/**
 * Sends planned deliveries to a relay the way a real webhook sender would: POST with the secret
 * header, at a given rate, retrying 5xx, 408, 429 and timeouts/network errors with a capped,
 * jittered exponential backoff (honouring Retry-After), and giving up at once on any other 4xx,
 * which is reported. Each delivery's outcome is reported as it settles.
 */
import { z } from 'zod';
import { WEBHOOK_SECRET_HEADER } from '../shared/moshtix.js';
import { createRandom } from './random.js';
import type { Delivery } from './plan.js';

export interface SendOptions {
  /** Relay base URL (`http://host:port`) or the full webhook URL. */
  relayUrl: string;
  secret: string;
  /** Deliveries per second; 0 or undefined sends as fast as the relay answers. */
  rate?: number;
  /** Deliveries in flight at once (default 1: strictly in plan order). */
  concurrency?: number;
  timeoutMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Seeds the retry jitter, so that even retries are reproducible. */
  seed?: string | number;
  signal?: AbortSignal;
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

export type OutcomeStatus = 'accepted' | 'quarantined' | 'rejected' | 'failed' | 'aborted';

export interface DeliveryOutcome {
  index: number;
  delivery: Delivery;
  status: OutcomeStatus;
  httpStatus: number | null;
  /** Relay sequence number of an accepted delivery. */
  seq: number | null;
  attempts: number;
  error: string | null;
  /** performance.now() when the first attempt started and when the answer arrived. */
  startedAt: number;
  answeredAt: number;
}

export interface SendReport {
  sent: number;
  accepted: number;
  quarantined: number;
  rejected: number;
  failed: number;
  retries: number;
  isAborted: boolean;
  elapsedMs: number;
  /** The first few rejections and failures, for the operator. */
  problems: string[];
}

const answerSchema = z.looseObject({
  status: z.string().optional(),
  seq: z.number().int().optional(),
  error: z.string().optional(),
});

export function webhookUrl(relayUrl: string): string {
  const url = new URL(relayUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/webhooks/moshtix';
  return url.toString();
}

function isRetryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function retryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export async function sendDeliveries(
  deliveries: readonly Delivery[],
  options: SendOptions,
): Promise<SendReport> {
  const url = webhookUrl(options.relayUrl);
  const jitter = createRandom(`${options.seed ?? 0}:retry-jitter`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const baseMs = options.backoffBaseMs ?? 100;
  const capMs = options.backoffCapMs ?? 5_000;
  const interval = options.rate && options.rate > 0 ? 1000 / options.rate : 0;
  const report: SendReport = {
    sent: 0,
    accepted: 0,
    quarantined: 0,
    rejected: 0,
    failed: 0,
    retries: 0,
    isAborted: false,
    elapsedMs: 0,
    problems: [],
  };
  const started = performance.now();
  let nextIndex = 0;

  const attempt = async (
    delivery: Delivery,
  ): Promise<{ status: number; text: string; retryAfter: string | null } | { error: string }> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [WEBHOOK_SECRET_HEADER]: options.secret },
        body: delivery.body,
        signal,
      });
      return {
        status: response.status,
        text: await response.text(),
        retryAfter: response.headers.get('retry-after'),
      };
    } catch (error) {
      return { error: timeout.aborted ? `timed out after ${timeoutMs} ms` : (error as Error).message };
    }
  };

  const deliver = async (index: number, delivery: Delivery): Promise<DeliveryOutcome> => {
    const startedAt = performance.now();
    const outcome = (
      status: OutcomeStatus,
      httpStatus: number | null,
      attempts: number,
      error: string | null,
      seq: number | null = null,
    ): DeliveryOutcome => ({
      index,
      delivery,
      status,
      httpStatus,
      seq,
      attempts,
      error,
      startedAt,
      answeredAt: performance.now(),
    });
    for (let attempts = 1; ; attempts += 1) {
      const answer = await attempt(delivery);
      if (options.signal?.aborted) return outcome('aborted', null, attempts, 'stopped');
      let problem: string;
      let wait: number | null = null;
      if ('error' in answer) {
        problem = answer.error;
      } else {
        const parsed = answerSchema.safeParse(safeJson(answer.text));
        const body = parsed.success ? parsed.data : {};
        if (answer.status >= 200 && answer.status < 300) {
          const isQuarantined = answer.status === 202 || body.status === 'quarantined';
          return outcome(
            isQuarantined ? 'quarantined' : 'accepted',
            answer.status,
            attempts,
            body.error ?? null,
            body.seq ?? null,
          );
        }
        problem = `HTTP ${answer.status}${body.error ? `: ${body.error}` : ''}`;
        if (!isRetryable(answer.status)) return outcome('rejected', answer.status, attempts, problem);
        wait = retryAfterMs(answer.retryAfter);
      }
      if (attempts >= maxAttempts)
        return outcome('failed', 'error' in answer ? null : answer.status, attempts, problem);
      report.retries += 1;
      const backoff = Math.min(capMs, baseMs * 2 ** (attempts - 1));
      await abortableDelay(Math.min(capMs, wait ?? backoff * (0.5 + jitter.next() * 0.5)), options.signal);
    }
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.signal?.aborted) return;
      const index = nextIndex;
      const delivery = deliveries[index];
      if (!delivery) return;
      nextIndex += 1;
      await abortableDelay(started + index * interval - performance.now(), options.signal);
      if (options.signal?.aborted) return;
      const outcome = await deliver(index, delivery);
      tally(report, outcome);
      options.onOutcome?.(outcome);
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => worker()));
  report.isAborted = options.signal?.aborted ?? false;
  report.elapsedMs = performance.now() - started;
  return report;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function tally(report: SendReport, outcome: DeliveryOutcome): void {
  if (outcome.status === 'aborted') return;
  report.sent += 1;
  report[outcome.status] += 1;
  if ((outcome.status === 'rejected' || outcome.status === 'failed') && report.problems.length < 10) {
    report.problems.push(
      `delivery ${outcome.index} (${outcome.delivery.kind} ${outcome.delivery.contextId}): ${outcome.error ?? outcome.status}`,
    );
  }
}
