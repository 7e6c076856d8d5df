/**
 * One ticket: its state (why it is not valid, in words), its scan history across gates, and only the
 * staff actions that apply — manual admit when it is not inside, "Annul…" on an admission that is
 * not annulled yet. The form opens in view; the PIN is asked once per unlock period.
 */
import { useEffect, useRef, useState } from 'react';
import type { ScanResult, TicketDetail } from '../../../shared/gate-api.js';
import { causeWords, errorSentence } from '../../../shared/messages.js';
import type { ScanRecord } from '../../../shared/scans.js';
import { eventWhen } from '../format.js';
import { useGate } from '../gate-context.js';
import { PinField } from '../pin-field.js';
import { usePinForAction } from '../staff-pin.js';
import { dateTime } from '../scan/verdict.js';
import { HistoryTable } from './history-table.js';

type Action = { kind: 'admit' } | { kind: 'annul'; scan: ScanRecord };

export function TicketDetailView({ ticket, onChanged }: { ticket: TicketDetail; onChanged(): void }) {
  const { client, settings } = useGate();
  const pins = usePinForAction();
  const [action, setAction] = useState<Action | null>(null);
  const [note, setNote] = useState('');
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState<{ isError: boolean; text: string } | null>(null);
  const section = useRef<HTMLElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const isNameHidden = settings?.hideNames ?? false;

  // A picked ticket and an opened form are brought into view (the portrait screen is long).
  // Block bodies: current Chromium's scrollIntoView returns a promise, which must not become the
  // effect's cleanup.
  useEffect(() => {
    section.current?.scrollIntoView({ block: 'nearest' });
  }, [ticket.barcode]);
  useEffect(() => {
    if (action) form.current?.scrollIntoView({ block: 'nearest' });
  }, [action]);

  const open = (next: Action) => {
    setMessage(null);
    setNote('');
    setAction(next);
  };

  const confirm = async () => {
    if (!action) return;
    const sent = pins.pinFor(pin);
    const answer =
      action.kind === 'admit'
        ? await client.api.manualAdmit({ barcode: ticket.barcode, note, pin: sent })
        : await client.api.annul({ scanId: action.scan.id, note, pin: sent });
    pins.settle(sent, !answer.ok && answer.error.code === 'pin_required');
    setPin('');
    if (!answer.ok) return setMessage({ isError: true, text: errorSentence(answer.error.message) });
    const words =
      action.kind === 'admit'
        ? `Manual admit: ${(answer.value as ScanResult).message}`
        : 'Admission annulled';
    setMessage({ isError: false, text: words });
    setAction(null);
    setNote('');
    onChanged();
  };

  const hidden = isNameHidden ? 'hidden' : '—';
  return (
    <section
      className="detail"
      data-testid="ticket-detail"
      aria-label={`Ticket ${ticket.barcode}`}
      ref={section}
    >
      <h2>
        {ticket.holderName ?? (isNameHidden ? 'Name hidden' : 'No name on ticket')}{' '}
        <span className={ticket.valid ? 'tag tag-ok' : 'tag tag-bad'}>
          {ticket.valid ? '✔ valid' : `✖ ${causeWords(ticket.cause)}`}
        </span>
        {ticket.inside ? <span className="tag tag-info">● inside</span> : null}
      </h2>
      <dl className="facts">
        <dt>Barcode</dt>
        <dd className="barcode">{ticket.barcode}</dd>
        <dt>Event</dt>
        <dd>
          {ticket.eventName} {ticket.eventStartDate ? `(${eventWhen(ticket.eventStartDate)})` : ''}
        </dd>
        <dt>Ticket type</dt>
        <dd>{ticket.ticketType ?? '—'}</dd>
        <dt>Buyer</dt>
        <dd>
          {ticket.customerName ?? hidden} {ticket.email ? `· ${ticket.email}` : ''}
        </dd>
        <dt>Order</dt>
        <dd>{ticket.orderId}</dd>
        {ticket.valid ? null : (
          <>
            <dt>Changed</dt>
            <dd>{dateTime(ticket.changedAt)}</dd>
          </>
        )}
      </dl>
      <h3>History</h3>
      {ticket.history.length === 0 ? <p>No scans yet.</p> : null}
      <HistoryTable history={ticket.history} onAnnul={(scan) => open({ kind: 'annul', scan })} />
      {ticket.inside ? null : (
        <div className="actions">
          <button
            type="button"
            className="primary"
            data-testid="manual-admit"
            onClick={() => open({ kind: 'admit' })}
          >
            Manual admit…
          </button>
        </div>
      )}
      {action ? (
        <form
          className="confirm"
          data-testid="action-form"
          ref={form}
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void confirm();
          }}
        >
          <h3>
            {action.kind === 'admit'
              ? 'Admit by hand'
              : `Annul the admission at ${action.scan.gate}, ${dateTime(action.scan.at)}`}
          </h3>
          <label className="field" htmlFor="action-note">
            <span className="field-label">Note (required)</span>
            <input
              id="action-note"
              autoFocus
              value={note}
              onChange={(event) => setNote(event.target.value)}
            />
          </label>
          {pins.isPinNeeded ? <PinField id="action-pin" value={pin} onChange={setPin} /> : null}
          {message?.isError ? (
            <p role="alert" className="error">
              ✖ {message.text}
            </p>
          ) : null}
          <div className="actions">
            <button type="submit" className="primary">
              Confirm
            </button>
            <button type="button" onClick={() => setAction(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {message && !(action && message.isError) ? (
        <p role={message.isError ? 'alert' : 'status'} className={message.isError ? 'error' : 'notice'}>
          {message.isError ? '✖ ' : '✔ '}
          {message.text}
        </p>
      ) : null}
    </section>
  );
}
