/**
 * Finds relays that announce themselves on this PC's network (`relay serve --advertise`: mDNS/DNS-SD
 * `_gatehouse._tcp`), for the first-run screen and Settings, so a new gate PC needs only its token.
 *
 * Browsing starts on the first request (a gate that never shows those screens never opens the
 * multicast socket) and stops with the engine. The list is asked for again at most every
 * `requeryMs` while someone keeps asking: each time a fresh browser, so a relay that vanished without
 * saying goodbye drops off; the previous browser's answers count for `settleMs` meanwhile.
 * What other hosts announce is untrusted input: each service is parsed, a malformed one is ignored.
 * Multicast failures are logged, never fatal: the list is then empty and staff type the address.
 */
import type { EventEmitter } from 'node:events';
import { isIPv4, isIPv6 } from 'node:net';
import { Bonjour, type Browser } from 'bonjour-service';
import { z } from 'zod';
import type { FoundRelay } from '../../shared/gate-api.js';
import { createLogger } from '../../shared/logger.js';
import { RELAY_SERVICE_TYPE, relayRoleSchema } from '../../shared/protocol.js';

const log = createLogger('gate.relay-finder');

const hostSchema = z
  .string()
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/);

/** The fields of a bonjour-service Service the gate uses; anything else is ignored. */
const serviceSchema = z.object({
  // Shown to staff: a line of printable text, no control characters.
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^\p{Cc}]+$/u),
  host: z.string().optional(),
  port: z.number().int().min(1).max(65_535),
  addresses: z.array(z.unknown()).max(64).optional(),
  referer: z.object({ address: z.unknown() }).partial().optional(),
  txt: z.object({
    role: relayRoleSchema,
    protocol: z.string().regex(/^\d{1,6}$/),
  }),
});

/** Where to reach an announced relay: an IPv4 address (the one it answered from first), else a routable IPv6 one, else its host name. */
function urlOf(service: z.infer<typeof serviceSchema>): string | null {
  const addresses = (service.addresses ?? []).filter(
    (address): address is string => typeof address === 'string',
  );
  const ipv4 = addresses.filter((address) => isIPv4(address));
  const referer = service.referer?.address;
  const chosen = ipv4.find((address) => address === referer) ?? ipv4[0];
  if (chosen) return `http://${chosen}:${service.port}`;
  // A link-local address (fe80::/10) needs a zone that a URL cannot carry.
  const ipv6 = addresses.find((address) => isIPv6(address) && !/^fe[89ab]/i.test(address));
  if (ipv6) return `http://[${ipv6}]:${service.port}`;
  const host = hostSchema.safeParse(service.host);
  if (host.success && host.data.includes('.'))
    return `http://${host.data.replace(/\.$/, '')}:${service.port}`;
  return null;
}

/** Parses announced services: malformed ones are left out; one entry per URL; venue relays first, then by name. */
export function foundRelays(services: readonly unknown[]): FoundRelay[] {
  const byUrl = new Map<string, FoundRelay>();
  for (const candidate of services) {
    const parsed = serviceSchema.safeParse(candidate);
    if (!parsed.success) continue;
    const url = urlOf(parsed.data);
    if (url === null || byUrl.has(url)) continue;
    byUrl.set(url, {
      name: parsed.data.name,
      url,
      role: parsed.data.txt.role,
      protocol: Number(parsed.data.txt.protocol),
    });
  }
  return [...byUrl.values()].sort(
    (a, b) =>
      Number(b.role === 'venue') - Number(a.role === 'venue') ||
      a.name.localeCompare(b.name) ||
      a.url.localeCompare(b.url),
  );
}

export interface RelayFinderOptions {
  /** At most this often (ms) a request asks the network again; default 5 s. */
  requeryMs?: number;
  /** How long (ms) a fresh browser's list is topped up with the previous one's; default 2 s. */
  settleMs?: number;
  now?: () => number;
}

export class RelayFinder {
  private bonjour: Bonjour | null = null;
  private current: { browser: Browser; startedAt: number } | null = null;
  private previous: Browser | null = null;
  private isStopped = false;
  private readonly requeryMs: number;
  private readonly settleMs: number;
  private readonly now: () => number;

  constructor(options: RelayFinderOptions = {}) {
    this.requeryMs = options.requeryMs ?? 5_000;
    this.settleMs = options.settleMs ?? 2_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** The relays found so far; the first call starts browsing (and so finds nothing yet). */
  list(): FoundRelay[] {
    if (this.isStopped) return [];
    const bonjour = this.bonjour ?? this.open();
    if (bonjour === null) return [];
    const now = this.now();
    if (this.current === null || now - this.current.startedAt >= this.requeryMs) {
      // A stopped browser keeps the services it had found: they top up the fresh one's for a moment.
      this.current?.browser.stop();
      this.previous = this.current?.browser ?? null;
      this.current = { browser: bonjour.find({ type: RELAY_SERVICE_TYPE }), startedAt: now };
    }
    const isSettling = now - this.current.startedAt < this.settleMs;
    return foundRelays([
      ...this.current.browser.services,
      ...(isSettling ? (this.previous?.services ?? []) : []),
    ]);
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    const bonjour = this.bonjour;
    this.bonjour = null;
    this.current?.browser.stop();
    this.previous?.stop();
    this.current = null;
    this.previous = null;
    if (!bonjour) return;
    await new Promise<void>((resolve) => {
      try {
        bonjour.destroy(() => resolve());
      } catch (error) {
        // A socket that never bound cannot be closed, and needs not be.
        log.warn('closing the mDNS socket failed', { error: (error as Error).message });
        resolve();
      }
    });
  }

  private open(): Bonjour | null {
    try {
      const bonjour = new Bonjour({}, (error: Error) =>
        log.warn('looking for relays on the network failed', { error: error.message }),
      );
      // multicast-dns reports a socket it cannot bind as an 'error' event: unheard, it would end the gate.
      const mdns = (bonjour as unknown as { server?: { mdns?: EventEmitter } }).server?.mdns;
      mdns?.on('error', (error: Error) =>
        log.warn('looking for relays on the network failed', { error: error.message }),
      );
      mdns?.on('warning', (error: Error) => log.debug('mDNS warning', { error: error.message }));
      this.bonjour = bonjour;
      return bonjour;
    } catch (error) {
      log.warn('looking for relays on the network failed', { error: (error as Error).message });
      this.isStopped = true;
      return null;
    }
  }
}
