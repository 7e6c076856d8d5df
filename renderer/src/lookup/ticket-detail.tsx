/** One ticket: its state, its scan history across gates, manual admit and annul (PIN when set). */
import { useState } from 'react';
import type { ScanResult, TicketDetail } from '../../../shared/gate-api.js';
import type { ScanRecord } from '../../../shared/scans.js';
import { useGate } from '../gate-context.js';
import { PinField } from '../pin-field.js';
import { REASON_WORDS, dateTime } from '../scan/verdict.js';

type Action = { kind: 'admit' } | { kind: 'annul'; scan: ScanRecord };

export function TicketDetailView({ ticket, onChanged }: { ticket: TicketDetail; onChanged(): void }) {
  const { client, settings } = useGate();
  const [action, setAction] = useState<Action | null>(null);
  const [note, setNote] = useState('');
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState<{ isError: boolean; text: string } | null>(null);
  const hasPin = settings?.hasPin ?? false;

  const confirm = async () => {
    if (!action) return;
    const pinInput = hasPin ? pin : undefined;
    const answer =
      action.kind === 'admit'
        ? await client.api.manualAdmit({ barcode: ticket.barcode, note, pin: pinInput })
        : await client.api.annul({ scanId: action.scan.id, note, pin: pinInput });
    if (!answer.ok) return setMessage({ isError: true, text: answer.error.message });
    const words =
      action.kind === 'admit'
        ? `Manual admit: ${(answer.value as ScanResult).message}`
        : 'Admission annulled';
    setMessage({ isError: false, text: words });
    setAction(null);
    setNote('');
    setPin('');
    onChanged();
  };

  return (
    <section className="detail" data-testid="ticket-detail" aria-label={`Ticket ${ticket.barcode}`}>
      <h2>
        {ticket.holderName ?? 'No name on ticket'}{' '}
        <span className={ticket.valid ? 'tag tag-ok' : 'tag tag-bad'}>
          {ticket.valid ? '✔ valid' : `✖ ${ticket.cause}`}
        </span>
        {ticket.inside ? <span className="tag tag-info">● inside</span> : null}
      </h2>
      <dl className="facts">
        <dt>Barcode</dt>
        <dd>{ticket.barcode}</dd>
        <dt>Event</dt>
        <dd>
          {ticket.eventName} {ticket.eventStartDate ? `(${dateTime(ticket.eventStartDate)})` : ''}
        </dd>
        <dt>Ticket type</dt>
        <dd>{ticket.ticketType ?? '—'}</dd>
        <dt>Customer</dt>
        <dd>
          {ticket.customerName ?? '—'} {ticket.email ? `· ${ticket.email}` : ''}
        </dd>
        <dt>Order</dt>
        <dd>{ticket.orderId}</dd>
      </dl>
      <h3>History</h3>
      {ticket.history.length === 0 ? <p>No scans yet.</p> : null}
      <table className="table" data-testid="ticket-history">
        <tbody>
          {ticket.history.map((scan) => (
            <tr key={scan.id} className={scan.result === 'admit' ? 'row-admit' : 'row-deny'}>
              <td>{dateTime(scan.at)}</td>
              <td>{scan.gate}</td>
              <td>{scan.result === 'admit' ? '✔ admit' : '✖ deny'}</td>
              <td>{REASON_WORDS[scan.reason]}</td>
              <td>{scan.note ?? ''}</td>
              <td>
                {scan.result === 'admit' && scan.kind !== 'annul' ? (
                  <button type="button" onClick={() => setAction({ kind: 'annul', scan })}>
                    Annul…
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" className="primary" onClick={() => setAction({ kind: 'admit' })}>
          Manual admit…
        </button>
      </div>
      {action ? (
        <form
          className="confirm"
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
            <span className="field-label">Reason (required)</span>
            <input
              id="action-note"
              autoFocus
              value={note}
              onChange={(event) => setNote(event.target.value)}
            />
          </label>
          {hasPin ? <PinField id="action-pin" value={pin} onChange={setPin} /> : null}
          <button type="submit" className="primary">
            Confirm
          </button>
          <button type="button" onClick={() => setAction(null)}>
            Cancel
          </button>
        </form>
      ) : null}
      {message ? (
        <p role={message.isError ? 'alert' : 'status'} className={message.isError ? 'error' : 'notice'}>
          {message.isError ? '✖ ' : '✔ '}
          {message.text}
        </p>
      ) : null}
    </section>
  );
}
