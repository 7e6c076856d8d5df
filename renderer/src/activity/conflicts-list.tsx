/**
 * Conflicts: a ticket admitted at two gates while they could not hear each other. Each shows who
 * (name, ticket type, short barcode) and both admissions; staff mark it reviewed with a note. The
 * review is recorded at this gate and shared with the others, and no longer counts on the badge.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Conflict } from '../../../shared/gate-api.js';
import { errorSentence } from '../../../shared/messages.js';
import { shortBarcode } from '../format.js';
import { useGate } from '../gate-context.js';
import { PinField } from '../pin-field.js';
import { clockTime, dateTime } from '../scan/verdict.js';
import { usePinForAction } from '../staff-pin.js';

export function ConflictsList() {
  const { client, status } = useGate();
  const [conflicts, setConflicts] = useState<Conflict[]>([]);
  const load = useCallback(async () => {
    const answer = await client.api.conflicts({});
    if (answer.ok) setConflicts(answer.value.conflicts);
  }, [client]);
  // Reload when the badge's count changes (a new conflict, or a review from another gate).
  const open = status?.conflicts ?? 0;
  useEffect(() => {
    void load();
  }, [load, open]);

  const toReview = conflicts.filter((conflict) => conflict.review === null).length;
  return (
    <>
      <h2>
        Conflicts{' '}
        {conflicts.length
          ? `(${toReview} to review${toReview < conflicts.length ? `, ${conflicts.length - toReview} reviewed` : ''})`
          : ''}
      </h2>
      {conflicts.length === 0 ? <p>No conflicts: no ticket was admitted at two gates.</p> : null}
      <ul className="conflicts" data-testid="conflicts" hidden={conflicts.length === 0}>
        {conflicts.map((conflict) => (
          <ConflictItem key={conflict.id} conflict={conflict} onReviewed={() => void load()} />
        ))}
      </ul>
    </>
  );
}

function ConflictItem({ conflict, onReviewed }: { conflict: Conflict; onReviewed(): void }) {
  const { client, settings } = useGate();
  const pins = usePinForAction();
  const [isReviewing, setIsReviewing] = useState(false);
  const [note, setNote] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const name = conflict.holderName ?? (settings?.hideNames ? 'Name hidden' : 'No name on ticket');

  const review = async () => {
    const sent = pins.pinFor(pin);
    const answer = await client.api.reviewConflict({ conflictId: conflict.id, note, pin: sent });
    pins.settle(sent, !answer.ok && answer.error.code === 'pin_required');
    setPin('');
    if (!answer.ok) return setError(errorSentence(answer.error.message));
    setError(null);
    setIsReviewing(false);
    onReviewed();
  };

  return (
    <li data-testid="conflict" className={conflict.review ? 'conflict reviewed' : 'conflict'}>
      <div className="conflict-who">
        {conflict.review ? '✔' : '⚠'} <strong>{name}</strong> · {conflict.ticketType ?? 'Ticket'} ·{' '}
        <code title={conflict.barcode}>{shortBarcode(conflict.barcode)}</code>
      </div>
      <div className="conflict-admissions">
        Admitted at{' '}
        {conflict.scans.map((scan, index) => (
          <span key={scan.id}>
            {index > 0 ? ' and at ' : ''}
            <strong>{scan.gate}</strong> {dateTime(scan.at)}
          </span>
        ))}
      </div>
      {conflict.review ? (
        <div className="conflict-review">
          Reviewed at {conflict.review.gate}, {clockTime(conflict.review.at)}
          {conflict.review.note ? ` — ${conflict.review.note}` : ''}
        </div>
      ) : isReviewing ? (
        <form
          className="confirm"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void review();
          }}
        >
          <label className="field" htmlFor="review-note">
            <span className="field-label">Note (required): what was found</span>
            <input
              id="review-note"
              autoFocus
              value={note}
              onChange={(event) => setNote(event.target.value)}
            />
          </label>
          {pins.isPinNeeded ? <PinField id="review-pin" value={pin} onChange={setPin} /> : null}
          {error ? (
            <p role="alert" className="error">
              ✖ {error}
            </p>
          ) : null}
          <div className="actions">
            <button type="submit" className="primary">
              Mark reviewed
            </button>
            <button type="button" onClick={() => setIsReviewing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" data-testid="review-conflict" onClick={() => setIsReviewing(true)}>
          Mark reviewed…
        </button>
      )}
    </li>
  );
}
