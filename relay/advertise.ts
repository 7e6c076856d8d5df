/**
 * `relay serve --advertise`: announces the relay on the LAN by mDNS/DNS-SD as `_gatehouse._tcp`
 * (bonjour-service), so a gate PC at the venue can find the venue relay and needs only its token.
 * TXT: `protocol` (the wire protocol version) and `role` (`venue` for a relay with an upstream).
 * Multicast failures are logged, never fatal: the relay serves whether or not it is announced.
 */
import { hostname } from 'node:os';
import { Bonjour } from 'bonjour-service';
import { createLogger } from '../shared/logger.js';
import { PROTOCOL_VERSION, RELAY_SERVICE_TYPE } from '../shared/protocol.js';

const log = createLogger('relay.advertise');
export const SERVICE_TYPE = RELAY_SERVICE_TYPE;

export interface AdvertiseOptions {
  /** The instance name shown to staff; default "Gatehouse relay on HOSTNAME". */
  name?: string;
  isVenue: boolean;
}

export class RelayAdvertiser {
  private bonjour: Bonjour | null = null;

  constructor(private readonly options: AdvertiseOptions) {}

  start(port: number): void {
    const bonjour = new Bonjour({}, (error: Error) =>
      log.warn('mDNS announcement failed', { error: error.message }),
    );
    this.bonjour = bonjour;
    const name = this.options.name ?? `Gatehouse relay on ${hostname()}`;
    const service = bonjour.publish({
      name,
      type: SERVICE_TYPE,
      port,
      txt: { protocol: String(PROTOCOL_VERSION), role: this.options.isVenue ? 'venue' : 'relay' },
    });
    service.on('error', (error: Error) => log.warn('mDNS announcement failed', { error: error.message }));
    log.info('announcing on the LAN', { service: `_${SERVICE_TYPE}._tcp`, name, port });
  }

  async stop(): Promise<void> {
    const bonjour = this.bonjour;
    this.bonjour = null;
    if (!bonjour) return;
    // Says goodbye (TTL 0) so browsers forget the relay at once, then closes the sockets.
    await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
  }
}
