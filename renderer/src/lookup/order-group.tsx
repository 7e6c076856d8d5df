/**
 * One order among the lookup results: its tickets (short barcode, what matched) and "Admit all N
 * valid tickets in this order". Each ticket admitted is its own admission at the gate; the tickets
 * it would not admit are listed with the reason, so staff can deal with them one by one.
 */
import { useState } from 'react';
import type { LookupOrder, LookupResult, OrderAdmission } from '../../../shared/gate-api.js';
import { errorSentence } from '../../../shared/messages.js';
import { matchWords, plural, shortBarcode } from '../format.js';
import { useGate } from '../gate-context.js';
import { PinField } from '../pin-field.js';
import { usePinForAction } from '../staff-pin.js';

function admitLabel(count: number): string {
  return `Admit all ${count} valid ${count === 1 ? 'ticket' : 'tickets'} in this order`;
}

export function OrderGroup(props: {
  order: LookupOrder;
  results: LookupResult[];
  selected: string | null;
  onSelect(barcode: string): void;
  onAdmitted(): void;
}) {
  const { order, results } = props;
  const { client, settings } = useGate();
  const pins = usePinForAction();
  const [isAskingPin, setIsAskingPin] = useState(false);
  const [pin, setPin] = useState('');
  const [outcome, setOutcome] = useState<OrderAdmission | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isNameHidden = settings?.hideNames ?? false;

  const admit = async () => {
    if (pins.isPinNeeded && !isAskingPin) return setIsAskingPin(true);
    const sent = pins.pinFor(pin);
    const answer = await client.api.admitOrder({ orderId: order.orderId, pin: sent });
    pins.settle(sent, !answer.ok && answer.error.code === 'pin_required');
    setPin('');
    if (!answer.ok) return setError(errorSentence(answer.error.message));
    setError(null);
    setIsAskingPin(false);
    setOutcome(answer.value);
    props.onAdmitted();
  };

  return (
    <section className="order-group" data-testid="order-group" data-order-id={order.orderId}>
      <header className="order-head">
        <h2>
          Order {order.orderId}
          {order.buyerName ? ` · ${order.buyerName}` : ''}{' '}
          <span className="hint">({plural(order.tickets, 'ticket')})</span>
        </h2>
        <button
          type="button"
          className="primary"
          data-testid="admit-order"
          disabled={order.admissible === 0}
          onClick={() => void admit()}
        >
          {admitLabel(order.admissible)}
        </button>
      </header>
      {isAskingPin ? (
        <form
          className="confirm"
          onSubmit={(event) => {
            event.preventDefault();
            void admit();
          }}
        >
          <PinField id="order-pin" value={pin} onChange={setPin} isAutoFocus />
          <button type="submit" className="primary">
            Admit
          </button>
        </form>
      ) : null}
      {error ? (
        <p role="alert" className="error">
          ✖ {error}
        </p>
      ) : null}
      {outcome ? (
        <div className="order-outcome" data-testid="order-outcome" role="status">
          <p className="notice">✔ {outcome.admitted.length} admitted</p>
          {outcome.refused.length > 0 ? (
            <ul className="refused">
              {outcome.refused.map((line) => (
                <li key={line.barcode}>
                  ✖ {shortBarcode(line.barcode)} {line.holderName ?? ''} — {line.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <ul className="result-list">
        {results.map((result) => (
          <li key={result.barcode}>
            <button
              type="button"
              data-testid="lookup-row"
              className={props.selected === result.barcode ? 'selected' : ''}
              onClick={() => props.onSelect(result.barcode)}
            >
              <strong>{result.holderName ?? (isNameHidden ? 'Name hidden' : 'No name')}</strong>
              <span>{result.ticketType ?? 'Ticket'}</span>
              <code>{shortBarcode(result.barcode)}</code>
              <span className="hint">matched: {matchWords(result.match, result.orderId)}</span>
              {result.valid ? null : <span className="tag tag-bad">✖ not valid</span>}
              {result.inside ? <span className="tag tag-info">● inside</span> : null}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
