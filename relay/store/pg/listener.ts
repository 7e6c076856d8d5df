/**
 * The LISTEN connection of a PostgreSQL store: one dedicated client listening on the log and gates
 * channels. When it drops it reconnects with a capped, jittered backoff and reports `reconnected`, so
 * the store reads whatever it missed meanwhile (NOTIFYs sent while nobody listened are gone).
 */
import type pg from 'pg';
import { createLogger } from '../../../shared/logger.js';
import { createClient, redactUrl } from './connection.js';
import { GATES_CHANNEL, LOG_CHANNEL } from './writer.js';

const log = createLogger('relay.store.pg');
const BACKOFF_MS = { first: 100, max: 5_000 };

export interface ListenerHooks {
  /** Another (or this) process committed log entries (the payload: see log-notice.ts). */
  log(payload: string): void;
  /** Gates were added or revoked somewhere. */
  gates(): void;
  /** The connection came back after a drop: anything may have been missed. */
  reconnected(): void;
}

export class PgListener {
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private isStopped = false;
  private hasConnected = false;

  constructor(
    private readonly url: string,
    private readonly hooks: ListenerHooks,
  ) {}

  /** Resolves once listening (the first time); later drops reconnect in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = createClient(this.url);
    client.on('notification', (message) => {
      if (message.channel === LOG_CHANNEL) this.hooks.log(message.payload ?? '');
      else if (message.channel === GATES_CHANNEL) this.hooks.gates();
    });
    client.on('error', (error) => {
      log.warn('listen connection failed', { error: error.message });
      this.dropped(client);
    });
    client.on('end', () => this.dropped(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${LOG_CHANNEL}`);
      await client.query(`LISTEN ${GATES_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.isStopped) {
      await client.end();
      return;
    }
    this.client = client;
    this.attempt = 0;
    if (this.hasConnected) {
      log.info('listen connection back', { url: redactUrl(this.url) });
      this.hooks.reconnected();
    }
    this.hasConnected = true;
  }

  private dropped(client: pg.Client): void {
    if (this.client !== client || this.isStopped) return;
    this.client = null;
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    this.schedule();
  }

  private schedule(): void {
    if (this.isStopped || this.timer) return;
    const ceiling = Math.min(BACKOFF_MS.max, BACKOFF_MS.first * 2 ** this.attempt);
    this.attempt += 1;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.connect().catch((error: unknown) => {
          log.warn('listen reconnect failed', { error: (error as Error).message });
          this.schedule();
        });
      },
      ceiling / 2 + Math.random() * (ceiling / 2),
    );
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
