/**
 * Lookup: search by barcode, name, email or order number (barcode or order only when names are
 * hidden). Results are counted and grouped by order; each row shows the short barcode and which
 * field matched; a whole order can be admitted at once; picking a row opens its detail.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LookupOrder, LookupResult } from '../../../shared/gate-api.js';
import { errorSentence } from '../../../shared/messages.js';
import { plural } from '../format.js';
import { useGate } from '../gate-context.js';
import { OrderGroup } from './order-group.js';
import { TicketDetailView } from './ticket-detail.js';

interface Found {
  query: string;
  results: LookupResult[];
  orders: LookupOrder[];
  isTruncated: boolean;
}

export function LookupScreen({ initialQuery }: { initialQuery: string }) {
  const { client, settings } = useGate();
  const [query, setQuery] = useState(initialQuery);
  const [found, setFound] = useState<Found | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(query);
  const isNameHidden = settings?.hideNames ?? false;

  const search = useCallback(
    async (text: string) => {
      if (text.trim().length < 3) return setFound(null);
      const answer = await client.api.lookup({ query: text });
      if (latest.current !== text) return;
      if (!answer.ok) return setError(errorSentence(answer.error.message));
      setError(null);
      setFound({ query: text, ...answer.value });
    },
    [client],
  );

  useEffect(() => {
    latest.current = query;
    const timer = setTimeout(() => void search(query), 200);
    return () => clearTimeout(timer);
  }, [query, search]);

  const results = found?.results ?? [];
  const ticket = results.find((result) => result.barcode === selected) ?? null;
  const orders = found?.orders ?? [];
  return (
    <div className="screen lookup-screen">
      <h1>Lookup</h1>
      <label className="field" htmlFor="lookup-query">
        <span className="field-label">
          {isNameHidden
            ? 'Barcode or order number (3 characters or more; names are hidden on this gate)'
            : 'Barcode, name, email or order number (3 characters or more)'}
        </span>
        <input
          id="lookup-query"
          data-testid="lookup-query"
          autoFocus
          autoComplete="off"
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setSelected(null);
          }}
        />
      </label>
      {error ? (
        <p role="alert" className="error">
          ✖ {error}
        </p>
      ) : null}
      {found ? (
        <p className="lookup-count" data-testid="lookup-count" data-query={found.query} role="status">
          {results.length === 0
            ? 'No tickets'
            : `${plural(results.length, 'ticket')} in ${plural(orders.length, 'order')}`}
          {found.isTruncated ? ' — showing the first ones; type more to narrow it down' : ''}
        </p>
      ) : null}
      {found && results.length === 0 ? (
        <p data-testid="lookup-empty">No ticket matches “{found.query}”.</p>
      ) : null}
      {results.length > 0 ? (
        <div className="order-groups" data-testid="lookup-results">
          {orders.map((order) => (
            <OrderGroup
              key={order.orderId}
              order={order}
              results={results.filter((result) => result.orderId === order.orderId)}
              selected={selected}
              onSelect={setSelected}
              onAdmitted={() => void search(query)}
            />
          ))}
        </div>
      ) : null}
      {ticket ? <TicketDetailView ticket={ticket} onChanged={() => void search(query)} /> : null}
    </div>
  );
}
