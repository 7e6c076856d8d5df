/**
 * Forwards the scans of a venue relay's own gates to the upstream relay, from the durable outbox
 * (written with each scan, in the same transaction). A scan leaves the outbox only once the upstream
 * acknowledged it, so a crash at any instant means at most sending it again, and the upstream relay
 * deduplicates by scan id: nothing lost, nothing doubled. A scan the upstream refuses stays in the
 * outbox marked with the refusal (for operators; /healthz `refusedUploads`), never sent again.
 */
import { createLogger } from '../../shared/logger.js';
import type { ScanRecord } from '../../shared/scans.js';
import type { VenueRelayStore } from '../store/types.js';

const log = createLogger('relay.upstream');
/** Scans sent before waiting for their acks, as a gate does. */
const BATCH = 500;

export class Forwarder {
  private send: ((scan: ScanRecord) => void) | null = null;
  private readonly inFlight = new Set<string>();
  private isPumping = false;
  private pumping: Promise<void> = Promise.resolve();
  private isPumpWanted = false;

  constructor(
    private readonly store: Pick<VenueRelayStore, 'pendingUploads' | 'markForwarded' | 'markRefused'>,
  ) {}

  /** The link is welcomed: send what waits. */
  online(send: (scan: ScanRecord) => void): void {
    this.send = send;
    this.inFlight.clear();
    this.pump();
  }

  /** The link dropped: what was in flight is sent again on the next connection. */
  offline(): void {
    this.send = null;
    this.inFlight.clear();
  }

  /** New scans may be waiting. */
  pump(): void {
    this.isPumpWanted = true;
    if (this.isPumping || this.send === null || this.inFlight.size > 0) return;
    this.isPumping = true;
    this.pumping = this.sendBatch().finally(() => {
      this.isPumping = false;
      if (this.isPumpWanted && this.inFlight.size === 0) this.pump();
    });
  }

  private async sendBatch(): Promise<void> {
    this.isPumpWanted = false;
    try {
      const scans = await this.store.pendingUploads(BATCH);
      const send = this.send;
      if (send === null) return;
      for (const scan of scans) this.inFlight.add(scan.id);
      for (const scan of scans) send(scan);
    } catch (error) {
      log.error('could not read the scans to forward', { error: (error as Error).message });
    }
  }

  /** Resolves once no read of the outbox is under way (before the store closes). */
  async idle(): Promise<void> {
    while (this.isPumping) await this.pumping;
  }

  /** The upstream stored the scan (`refusal` null) or refused it for good. */
  async settled(scanId: string, refusal: string | null): Promise<void> {
    if (refusal === null) await this.store.markForwarded([scanId]);
    else {
      log.warn('the upstream relay refused a scan; kept, not forwarded again', { scanId, refusal });
      await this.store.markRefused(scanId, refusal);
    }
    this.inFlight.delete(scanId);
    if (this.inFlight.size === 0) this.pump();
  }
}
