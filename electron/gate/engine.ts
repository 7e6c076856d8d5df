/**
 * The gate engine: owns the store, the settings, the turnstile and the sync client, and answers
 * scans. Every decision is committed (synchronous=FULL) before the turnstile is told to open and
 * before it is uploaded; the turnstile is never awaited for the answer.
 */
import { randomUUID } from 'node:crypto';
import {
  gateNameSchema,
  type EventWindow,
  type GateEvent,
  type GateStatus,
  type ScanResult,
} from '../../shared/gate-api.js';
import { createLogger } from '../../shared/logger.js';
import type { Direction, ScanRecord } from '../../shared/scans.js';
import type { TurnstileResult } from '../../shared/turnstile.js';
import type { ApplyOutcome } from './apply.js';
import { ApiFailure } from './errors.js';
import type { DayOf } from './conflicts.js';
import { dayStartOf, isMultiDay } from './door-time.js';
import { eventWindows } from './event-windows.js';
import { InsideCount } from './inside-count.js';
import { otherEventOf } from './other-events.js';
import { RelayFinder } from './relay-finder.js';
import { attentionFor, decide, isPlausibleBarcode, MAX_BARCODE_LENGTH, type Decision } from './rules.js';
import type { SecretStore } from './secrets.js';
import type { StoredSettings } from './settings.js';
import type { GateStore } from './store/index.js';
import { SyncClient, type SyncTiming } from './sync/client.js';
import { ApplyQueue } from './sync/apply-queue.js';
import { syncTargetFor } from './sync/target.js';
import { Turns } from './sync/turns.js';
import { createTurnstile, type Turnstile } from './turnstile/index.js';
import { startSerialScanner, type SerialScanner } from './scanner/serial-scanner.js';
import type { SerialScannerSettings } from '../../shared/turnstile.js';
import { summarise } from './views.js';

const log = createLogger('gate.engine');
/** Settings-table key of the gate name the relay authenticated this gate's token as. */
const RELAY_GATE_KEY = 'relayGate';
/** Scans this recent (ms) make the door busy: bulk work then goes in shorter slices, with pauses. */
const BUSY_DOOR_MS = 3_000;
/** The idle pause between two turns of bulk work while the door is busy (ms; see Turns). */
const BUSY_TURN_PAUSE_MS = 1;
export const OPEN_BY_HAND = 'Open the gate by hand';

/** An attention flag's words stay on screen when the turnstile also needs opening by hand. */
function withOpenByHand(attention: string | undefined): string {
  return attention ? `${attention} · ${OPEN_BY_HAND}` : OPEN_BY_HAND;
}

export interface EngineParts {
  store: GateStore;
  settings: StoredSettings;
  secrets: SecretStore;
  now: () => Date;
  timeZone?: string;
  syncTiming?: SyncTiming;
  /** Log series included in diagnostics exports. */
  logFiles?: readonly string[];
}

export class Engine {
  readonly store: GateStore;
  settings: StoredSettings;
  readonly secrets: SecretStore;
  readonly sync: SyncClient;
  /** Stores what the relay sends in slices that leave room for scans. */
  readonly applyQueue: ApplyQueue;
  readonly now: () => Date;
  turnstile: Turnstile;
  readonly logFiles: readonly string[];
  /** Relays announced on the LAN; browses only once asked, stops with the engine. */
  readonly relayFinder: RelayFinder;
  private readonly timeZone: string | undefined;
  private readonly listeners = new Set<(event: GateEvent) => void>();
  private ticketCount: number;
  private stopTurnstileStatus: () => void = () => {};
  private scanner: { settings: SerialScannerSettings; reader: SerialScanner; stopStatus: () => void } | null =
    null;
  private isStopped = false;
  private isStarted = false;
  private readonly inside: InsideCount;
  /** The name the relay knows this gate's token by (from its welcome); null until first connected. */
  private relayGate: string | null;
  /** When the last scan came in (monotonic ms): bulk storage keeps its slices shortest meanwhile. */
  private lastScanAt = Number.NEGATIVE_INFINITY;

  constructor(parts: EngineParts) {
    this.store = parts.store;
    this.settings = parts.settings;
    this.secrets = parts.secrets;
    this.now = parts.now;
    this.timeZone = parts.timeZone;
    this.logFiles = parts.logFiles ?? [];
    this.relayFinder = new RelayFinder();
    this.ticketCount = this.store.tickets.count();
    this.inside = new InsideCount(this.store);
    this.relayGate = this.loadRelayGate();
    this.turnstile = createTurnstile(this.settings.turnstile);
    // Frames from the relay and slices of storing them take turns: one of them per event-loop turn,
    // with the loop left idle for a millisecond between turns while scans come in.
    const turns = new Turns(() => (this.isDoorBusy() ? BUSY_TURN_PAUSE_MS : 0));
    this.applyQueue = new ApplyQueue(
      {
        store: this.store,
        gateName: () => this.gateName(),
        now: () => this.now().toISOString(),
        conflictDays: (barcode) => this.conflictDays(barcode),
        applied: (outcome) => this.applied(outcome),
        changed: () => this.changed(),
        isBusy: () => this.isDoorBusy(),
        snapshotTotal: () => this.sync.status().snapshot?.total ?? null,
        resync: () => this.sync.restart(),
      },
      { maxSliceItems: parts.syncTiming?.snapshotBatchTickets },
      turns,
    );
    this.sync = new SyncClient(syncTargetFor(this), parts.syncTiming, turns);
  }

  async start(): Promise<void> {
    this.isStarted = true;
    await this.useTurnstile(this.turnstile);
    await this.useScanner(this.settings.turnstile.scanner ?? null);
    this.sync.start();
  }

  async stop(): Promise<void> {
    if (this.isStopped) return;
    this.isStopped = true;
    this.sync.stop();
    this.applyQueue.stop();
    await this.relayFinder.stop();
    this.stopTurnstileStatus();
    if (this.isStarted) await this.turnstile.stop();
    this.scanner?.stopStatus();
    await this.scanner?.reader.stop();
    this.scanner = null;
    this.listeners.clear();
    await this.store.closeFully();
  }

  /** Swaps in a turnstile driver: starts it and follows its status. */
  async useTurnstile(turnstile: Turnstile): Promise<void> {
    if (!this.isStarted) {
      // Before start: just pick the driver; start() starts it.
      this.turnstile = turnstile;
      return;
    }
    this.stopTurnstileStatus();
    if (turnstile !== this.turnstile) await this.turnstile.stop();
    this.turnstile = turnstile;
    await turnstile.start();
    const started = turnstile.status();
    if (started.state === 'disconnected' || started.state === 'error') {
      log.warn('turnstile not ready; retrying until it answers', {
        driver: started.driver,
        problem: started.message,
      });
    }
    this.stopTurnstileStatus = turnstile.onStatus((status) => {
      this.emit({ type: 'turnstile', turnstile: status });
      this.changed();
    });
  }

  /**
   * Starts, swaps or stops the serial barcode scanner. Its lines are scanned exactly like typed
   * ones (decision events reach the UI the same way).
   */
  async useScanner(settings: SerialScannerSettings | null): Promise<void> {
    if (JSON.stringify(settings) === JSON.stringify(this.scanner?.settings ?? null)) return;
    this.scanner?.stopStatus();
    await this.scanner?.reader.stop();
    this.scanner = null;
    if (!settings || this.isStopped) return;
    const reader = startSerialScanner(settings, (barcode) => {
      if (!this.isStopped) this.scan(barcode);
    });
    // Plugged, unplugged, absent: the status (and the UI's badge and banner) follows at once.
    const stopStatus = reader.onStatus(() => this.changed());
    this.scanner = { settings, reader, stopStatus };
    this.changed();
  }

  private scannerStatus(): GateStatus['scanner'] {
    if (!this.scanner) return { state: 'none', path: null };
    const { state, path } = this.scanner.reader.status();
    return { state, path };
  }

  onEvent(listener: (event: GateEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: GateEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        log.error('event listener failed', { error: (error as Error).message });
      }
    }
  }

  /** Whether scans are coming in now. */
  private isDoorBusy(): boolean {
    return performance.now() - this.lastScanAt < BUSY_DOOR_MS;
  }

  /**
   * The name this gate's scans are recorded and uploaded under: the relay records a scan under the
   * gate its token belongs to and refuses any other name, so once the relay has said who this gate
   * is, that name wins over the name setting (staff see both while they differ).
   */
  gateName(): string {
    return this.relayGate ?? this.settings.gateName;
  }

  /** The relay's welcome named this gate: adopt the name, and give it to scans still waiting to upload. */
  authenticatedAs(gate: string): void {
    const parsed = gateNameSchema.safeParse(gate);
    if (!parsed.success) {
      log.warn('the relay named this gate with an invalid name; keeping the old one', { gate });
      return;
    }
    const renamed = this.store.transaction(() => {
      if (parsed.data !== this.relayGate)
        this.store.state.putSetting(RELAY_GATE_KEY, JSON.stringify(parsed.data));
      return this.store.scans.renamePending(parsed.data);
    });
    if (parsed.data !== this.relayGate && parsed.data !== this.settings.gateName) {
      log.warn('this gate’s token belongs to another gate name at the relay; scans are recorded under it', {
        nameSetting: this.settings.gateName,
        relayName: parsed.data,
        renamedPendingScans: renamed,
      });
    }
    this.relayGate = parsed.data;
  }

  private loadRelayGate(): string | null {
    const raw = this.store.state.setting(RELAY_GATE_KEY);
    if (raw === null) return null;
    try {
      const parsed = gateNameSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** The relay refused one of this gate's scans: it stays recorded here, shown as refused, never retried. */
  scanRefused(id: string, reason: string): void {
    log.warn('the relay refused a scan; it is kept here and not uploaded again', { scanId: id, reason });
    this.store.scans.markRefused(id, reason);
    this.changed();
  }

  status(): GateStatus {
    const sync = this.sync.status();
    const cursor = this.store.state.cursor();
    return {
      connection: sync.connection,
      cursor,
      tickets: this.ticketCount,
      pendingScans: this.store.scans.pendingCount(),
      conflicts: this.store.scans.conflictCount(),
      lastSyncAt: this.store.state.lastSyncAt(),
      gate: this.gateName(),
      lag: sync.head === null ? null : Math.max(0, sync.head - cursor),
      lastError: sync.lastError,
      rejectedReason: sync.rejectedReason,
      refusedScans: this.store.scans.refusedCount(),
      snapshot: this.applyQueue.progress() ?? sync.snapshot,
      turnstile: this.turnstile.status(),
      scanner: this.scannerStatus(),
      applyErrors: this.store.applyErrors.count(),
      clockSkewMs: sync.clockSkewMs,
      relayQuarantined: sync.relayQuarantined,
    };
  }

  /** People inside now (admissions minus exits known from every gate, since the day started). */
  insideNow(): number {
    return this.inside.count(this.now(), this.settings.dayStarts, this.timeZone);
  }

  /** For a ticket of a multi-day event: the door day of a scan (admissions on two days never clash). */
  conflictDays(barcode: string): DayOf | null {
    const ticket = this.store.tickets.get(barcode);
    const event = ticket ? this.store.tickets.event(ticket.eventId) : null;
    if (!event || !isMultiDay(event)) return null;
    const { dayStarts } = this.settings;
    return (scan) => dayStartOf(new Date(scan.at), dayStarts, this.timeZone).getTime();
  }

  /** Where each selected event's admission window stands today (the idle screen warns). */
  eventWindows(): EventWindow[] {
    return eventWindows(this.settings, (id) => this.store.tickets.event(id), this.now(), this.timeZone);
  }

  scan(rawBarcode: string, direction?: Direction): ScanResult {
    this.lastScanAt = performance.now();
    const barcode = rawBarcode.trim();
    const ticket = barcode.length <= MAX_BARCODE_LENGTH ? this.store.tickets.get(barcode) : null;
    const event = ticket ? this.store.tickets.event(ticket.eventId) : null;
    // Not in our list: the relay's keyed-hash index may still know whose night it is.
    const otherEventId = !ticket && isPlausibleBarcode(barcode) ? otherEventOf(this.store, barcode) : null;
    const decision = decide({
      barcode: rawBarcode,
      direction,
      ticket,
      event,
      history: ticket ? this.store.scans.history(barcode) : [],
      settings: this.settings,
      now: this.now(),
      timeZone: this.timeZone,
      otherEvent:
        otherEventId === null
          ? null
          : { eventId: otherEventId, event: this.store.tickets.event(otherEventId) },
      insideCount: this.settings.capacity === null ? 0 : this.insideNow(),
    });
    const scan = this.record({
      decision,
      eventId: ticket?.eventId ?? null,
      kind: 'scan',
      reason: decision.reason,
      note: null,
      annuls: null,
    });
    const result: ScanResult = {
      result: decision.result,
      reason: decision.reason,
      message: decision.message,
      scanId: scan.id,
      ...(ticket ? { ticket: summarise(ticket, event, { hideNames: this.settings.hideNames }) } : {}),
      ...(decision.previous ? { previous: decision.previous } : {}),
      ...(decision.attention ? { attention: decision.attention } : {}),
    };
    return this.afterDecision(scan, result);
  }

  manualAdmit(barcode: string, note: string): ScanResult {
    const ticket = this.store.tickets.get(barcode);
    const event = ticket ? this.store.tickets.event(ticket.eventId) : null;
    const decision: Decision = {
      result: 'admit',
      reason: 'admitted',
      message: `Admitted by staff: ${note}`,
      direction: 'in',
      barcode,
    };
    const scan = this.record({
      decision,
      eventId: ticket?.eventId ?? null,
      kind: 'manual',
      reason: 'manual_admit',
      note,
      annuls: null,
    });
    // Staff override the rules (capacity, dates …), but an ID check still applies to who comes in.
    const attention = ticket ? attentionFor(ticket, event, this.settings.attention) : undefined;
    return this.afterDecision(scan, {
      result: 'admit',
      reason: 'admitted',
      message: decision.message,
      scanId: scan.id,
      ...(ticket ? { ticket: summarise(ticket, event, { hideNames: this.settings.hideNames }) } : {}),
      ...(attention ? { attention } : {}),
    });
  }

  annul(scanId: string, note: string): ScanRecord {
    const target = this.store.scans.get(scanId);
    if (!target) throw new ApiFailure('not_found', `scanId: no scan ${scanId}`);
    if (target.result !== 'admit' || target.kind === 'annul') {
      throw new ApiFailure('bad_request', 'scanId: only an admission or exit can be annulled');
    }
    if (
      this.store.scans.history(target.barcode).some((scan) => scan.kind === 'annul' && scan.annuls === scanId)
    ) {
      throw new ApiFailure('bad_request', 'scanId: that scan is already annulled');
    }
    const decision: Decision = {
      result: 'deny',
      reason: 'admitted',
      message: note,
      direction: target.direction,
      barcode: target.barcode,
    };
    const scan = this.record({
      decision,
      eventId: target.eventId,
      kind: 'annul',
      reason: 'annulled',
      note,
      annuls: scanId,
    });
    this.sync.upload(scan);
    this.changed();
    return scan;
  }

  private record(parts: {
    decision: Decision;
    eventId: string | null;
    kind: ScanRecord['kind'];
    reason: ScanRecord['reason'];
    note: string | null;
    annuls: string | null;
  }): ScanRecord {
    const scan: ScanRecord = {
      id: randomUUID(),
      barcode: parts.decision.barcode.slice(0, MAX_BARCODE_LENGTH),
      eventId: parts.eventId,
      gate: this.gateName(),
      at: this.now().toISOString(),
      direction: parts.decision.direction,
      result: parts.decision.result,
      reason: parts.reason,
      kind: parts.kind,
      note: parts.note,
      annuls: parts.annuls,
    };
    // On disk (the decision journal) before anything else happens.
    this.store.recordDecision(scan);
    this.inside.touched(scan.barcode);
    return scan;
  }

  private afterDecision(scan: ScanRecord, result: ScanResult): ScanResult {
    if (scan.result === 'admit') {
      const status = this.turnstile.status();
      if (status.state === 'error' || status.state === 'disconnected')
        result.attention = withOpenByHand(result.attention);
      const context = { barcode: scan.barcode, gate: this.gateName() };
      void this.turnstile.open(scan.direction, this.settings.turnstile.pulseMs, context).then(
        (outcome) => this.turnstileAnswered(scan, result, outcome),
        (error: unknown) =>
          this.turnstileAnswered(scan, result, { opened: false, error: (error as Error).message }),
      );
    }
    this.sync.upload(scan);
    this.emit({ type: 'decision', decision: result, scan });
    this.changed();
    return result;
  }

  private turnstileAnswered(scan: ScanRecord, result: ScanResult, outcome: TurnstileResult): void {
    if (this.isStopped) return;
    if (outcome.error !== undefined) {
      log.warn('turnstile did not open; the admission stands', { scanId: scan.id, error: outcome.error });
      this.emit({ type: 'turnstile', turnstile: this.turnstile.status(), result: outcome });
      if (!result.attention?.includes(OPEN_BY_HAND))
        this.emit({
          type: 'decision',
          decision: { ...result, attention: withOpenByHand(result.attention) },
          scan,
        });
      return;
    }
    if (outcome.passed === false) {
      log.info('no passage within the window; annulling the admission', { scanId: scan.id });
      this.annul(scan.id, 'no passage within window');
      this.emit({ type: 'turnstile', turnstile: this.turnstile.status(), result: outcome });
    }
  }

  changed(): void {
    if (this.listeners.size > 0 && !this.isStopped) this.emit({ type: 'status', status: this.status() });
  }

  /** Called after every applied sync batch. */
  applied(outcome: ApplyOutcome): void {
    this.ticketCount += outcome.ticketsInserted;
    for (const scan of outcome.scansAdded) this.inside.touched(scan.barcode);
    if (outcome.conflictsAdded > 0)
      log.warn('conflicting admissions found', { count: outcome.conflictsAdded });
  }
}
