/**
 * In-process counters for GET /metrics, rendered in the Prometheus text format. Counters start at zero
 * with the process, as Prometheus expects; the log head comes from the store.
 */
const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface GateLag {
  gate: string;
  lag: number;
}

export class RelayMetrics {
  private readonly deliveries = new Map<string, number>();
  private readonly buckets = LATENCY_BUCKETS_SECONDS.map(() => 0);
  private latencyCount = 0;
  private latencySum = 0;
  private scans = 0;

  countDelivery(outcome: string): void {
    this.deliveries.set(outcome, (this.deliveries.get(outcome) ?? 0) + 1);
  }

  countScan(): void {
    this.scans += 1;
  }

  observeIngest(seconds: number): void {
    this.latencyCount += 1;
    this.latencySum += seconds;
    LATENCY_BUCKETS_SECONDS.forEach((bound, index) => {
      if (seconds <= bound) this.buckets[index] = (this.buckets[index] ?? 0) + 1;
    });
  }

  render(state: {
    logHead: number;
    gates: readonly GateLag[];
    quarantined: number;
    skippedTickets: number;
  }): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family('gatehouse_deliveries_total', 'counter', 'Webhook deliveries received, by outcome.');
    for (const outcome of [
      'applied',
      'unchanged',
      'duplicate',
      'stale',
      'ignored',
      'quarantined',
      'unauthorized',
      'too_large',
      'failed',
    ]) {
      lines.push(`gatehouse_deliveries_total{outcome="${outcome}"} ${this.deliveries.get(outcome) ?? 0}`);
    }
    family('gatehouse_quarantine_pending', 'gauge', 'Quarantined deliveries not yet reprocessed.');
    lines.push(`gatehouse_quarantine_pending ${state.quarantined}`);
    family(
      'gatehouse_skipped_tickets',
      'gauge',
      'Tickets left out of readable deliveries (no usable barcode).',
    );
    lines.push(`gatehouse_skipped_tickets ${state.skippedTickets}`);
    family('gatehouse_scans_total', 'counter', 'Gate scans received (duplicates included).');
    lines.push(`gatehouse_scans_total ${this.scans}`);
    family('gatehouse_log_head', 'gauge', 'Highest log sequence number.');
    lines.push(`gatehouse_log_head ${state.logHead}`);
    family('gatehouse_connected_gates', 'gauge', 'Gates connected over the websocket.');
    lines.push(`gatehouse_connected_gates ${state.gates.length}`);
    family('gatehouse_gate_lag', 'gauge', 'Log entries a gate has not yet acknowledged.');
    for (const gate of state.gates)
      lines.push(`gatehouse_gate_lag{gate="${escapeLabel(gate.gate)}"} ${gate.lag}`);
    family('gatehouse_ingest_seconds', 'histogram', 'Time from request start to the committed answer.');
    LATENCY_BUCKETS_SECONDS.forEach((bound, index) => {
      lines.push(`gatehouse_ingest_seconds_bucket{le="${bound}"} ${this.buckets[index] ?? 0}`);
    });
    lines.push(`gatehouse_ingest_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`gatehouse_ingest_seconds_sum ${this.latencySum}`);
    lines.push(`gatehouse_ingest_seconds_count ${this.latencyCount}`);
    return `${lines.join('\n')}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
