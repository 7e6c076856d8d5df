/** Lookup: search by barcode, name, email or order id; pick a result to see its detail. */
import { useCallback, useEffect, useState } from 'react';
import type { TicketDetail } from '../../../shared/gate-api.js';
import { useGate } from '../gate-context.js';
import { TicketDetailView } from './ticket-detail.js';

export function LookupScreen({ initialQuery }: { initialQuery: string }) {
  const { client } = useGate();
  const [query, setQuery] = useState(initialQuery);
  const [results, setResults] = useState<TicketDetail[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = useCallback(
    async (text: string) => {
      if (text.trim().length < 3) return setResults(null);
      const answer = await client.api.lookup({ query: text });
      if (!answer.ok) return setError(answer.error.message);
      setError(null);
      setResults(answer.value.results);
    },
    [client],
  );

  useEffect(() => {
    const timer = setTimeout(() => void search(query), 200);
    return () => clearTimeout(timer);
  }, [query, search]);

  const ticket = results?.find((result) => result.barcode === selected) ?? null;
  return (
    <div className="screen lookup-screen">
      <h1>Lookup</h1>
      <label className="field" htmlFor="lookup-query">
        <span className="field-label">Barcode, name, email or order number (3 characters or more)</span>
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
      {results && results.length === 0 ? (
        <p data-testid="lookup-empty">No ticket matches “{query}”.</p>
      ) : null}
      {results && results.length > 0 ? (
        <ul className="result-list" data-testid="lookup-results">
          {results.map((result) => (
            <li key={result.barcode}>
              <button
                type="button"
                className={selected === result.barcode ? 'selected' : ''}
                onClick={() => setSelected(result.barcode)}
              >
                <strong>{result.holderName ?? 'No name'}</strong> · {result.ticketType ?? 'Ticket'} ·{' '}
                {result.eventName} · {result.barcode}
                {result.valid ? '' : ' · ✖ not valid'}
                {result.inside ? ' · ● inside' : ''}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {ticket ? <TicketDetailView ticket={ticket} onChanged={() => void search(query)} /> : null}
    </div>
  );
}
