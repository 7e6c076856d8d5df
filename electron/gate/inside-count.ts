/**
 * How many people are inside now, by everything this gate knows from every gate: the barcodes whose
 * last counting movement since the day started is an entry. Everyone inside when a day starts counts
 * as having left. Built once per day from the day's scans, then kept current one barcode at a time
 * as scans are recorded here or arrive from the relay, so a capacity check costs no scan of the table.
 */
import type { ScanRecord } from '../../shared/scans.js';
import { dayStartOf } from './door-time.js';
import { presenceOf } from './rules.js';
import type { GateStore } from './store/index.js';

export class InsideCount {
  private dayStart: number | null = null;
  private readonly inside = new Set<string>();

  constructor(private readonly store: GateStore) {}

  count(now: Date, dayStarts: string, timeZone: string | undefined): number {
    const start = dayStartOf(now, dayStarts, timeZone).getTime();
    if (start !== this.dayStart) this.rebuild(start);
    return this.inside.size;
  }

  /** A barcode's history changed: a decision recorded here, or scans from other gates. */
  touched(barcode: string): void {
    if (this.dayStart === null) return;
    const since = this.dayStart;
    this.place(
      barcode,
      this.store.scans.history(barcode).filter((scan) => Date.parse(scan.at) >= since),
    );
  }

  private rebuild(start: number): void {
    this.dayStart = start;
    this.inside.clear();
    const byBarcode = new Map<string, ScanRecord[]>();
    for (const scan of this.store.scans.since(new Date(start).toISOString())) {
      const history = byBarcode.get(scan.barcode);
      if (history) history.push(scan);
      else byBarcode.set(scan.barcode, [scan]);
    }
    for (const [barcode, history] of byBarcode) this.place(barcode, history);
  }

  private place(barcode: string, history: readonly ScanRecord[]): void {
    if (presenceOf(history).state === 'inside') this.inside.add(barcode);
    else this.inside.delete(barcode);
  }
}
