/**
 * A minimal Moshtix GraphQL client. Moshtix answers HTTP 200 even on failure, so `errors[]` is
 * checked on every response and its messages become the thrown error. Transport failures (network,
 * HTTP 429/5xx) are retried with a capped, jittered backoff.
 */
import { z } from 'zod';
import { MOSHTIX_GRAPHQL_ENDPOINT } from '../../shared/moshtix.js';
import { createLogger } from '../../shared/logger.js';

const log = createLogger('relay.moshtix');

const responseSchema = z.looseObject({
  data: z.unknown().optional(),
  errors: z
    .array(
      z.looseObject({
        message: z.string(),
        path: z.array(z.union([z.string(), z.number()])).nullish(),
        unhandledException: z.boolean().nullish(),
      }),
    )
    .nullish(),
});

export class MoshtixError extends Error {
  constructor(
    message: string,
    readonly messages: readonly string[],
  ) {
    super(message);
    this.name = 'MoshtixError';
  }
}

export interface GraphqlClientOptions {
  endpoint?: string;
  attempts?: number;
  /** First retry delay; doubles each time, with jitter. */
  backoffMs?: number;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class MoshtixGraphqlClient {
  readonly endpoint: string;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(options: GraphqlClientOptions = {}) {
    this.endpoint = options.endpoint ?? MOSHTIX_GRAPHQL_ENDPOINT;
    this.attempts = options.attempts ?? 3;
    this.backoffMs = options.backoffMs ?? 500;
  }

  /** Posts `{query, variables}` and returns `data`, or throws MoshtixError with Moshtix's messages. */
  async request(query: string, variables?: Record<string, unknown>): Promise<unknown> {
    const body = JSON.stringify(variables ? { query, variables } : { query });
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
        });
      } catch (error) {
        if (attempt >= this.attempts)
          throw new MoshtixError(`cannot reach ${this.endpoint}: ${(error as Error).message}`, []);
        await this.backoff(attempt, (error as Error).message);
        continue;
      }
      if ((response.status === 429 || response.status >= 500) && attempt < this.attempts) {
        await response.body?.cancel();
        await this.backoff(attempt, `HTTP ${response.status}`);
        continue;
      }
      const text = await response.text();
      if (response.status !== 200)
        throw new MoshtixError(`Moshtix answered HTTP ${response.status}: ${text.slice(0, 200)}`, []);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new MoshtixError(`Moshtix answered something that is not JSON: ${text.slice(0, 200)}`, []);
      }
      const parsed = responseSchema.safeParse(json);
      if (!parsed.success) throw new MoshtixError('Moshtix answered an unexpected shape', []);
      const errors = parsed.data.errors ?? [];
      if (errors.length > 0) {
        const messages = errors.map((error) => error.message);
        throw new MoshtixError(`Moshtix refused: ${messages.join('; ')}`, messages);
      }
      return parsed.data.data;
    }
  }

  private async backoff(attempt: number, reason: string): Promise<void> {
    const base = Math.min(this.backoffMs * 2 ** (attempt - 1), 10_000);
    const wait = base / 2 + Math.random() * (base / 2);
    log.warn('Moshtix request failed, retrying', { attempt, reason, waitMs: Math.round(wait) });
    await delay(wait);
  }
}
