/** Activity: recent decisions with filters, the conflicts list, and export to CSV. */
import { useCallback, useEffect, useState } from 'react';
import type { Conflict } from '../../../shared/gate-api.js';
import type { ScanRecord } from '../../../shared/scans.js';
import { useGate } from '../gate-context.js';
import { REASON_WORDS, dateTime } from '../scan/verdict.js';
import { scansToCsv } from './csv.js';

type ResultFilter = 'all' | 'admit' | 'deny';

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ActivityScreen() {
  const { client } = useGate();
  const [filter, setFilter] = useState<ResultFilter>('all');
  const [gate, setGate] = useState('');
  const [scans, setScans] = useState<ScanRecord[]>([]);
  const [conflicts, setConflicts] = useState<Conflict[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const answer = await client.api.activity({
      limit: 200,
      result: filter === 'all' ? undefined : filter,
      gate: gate.trim() === '' ? undefined : gate.trim(),
    });
    if (!answer.ok) return setError(answer.error.message);
    setError(null);
    setScans(answer.value.scans);
    const clashes = await client.api.conflicts({});
    if (clashes.ok) setConflicts(clashes.value.conflicts);
  }, [client, filter, gate]);

  useEffect(() => {
    void load();
    return client.onEvent((event) => event.type === 'decision' && void load());
  }, [load, client]);

  return (
    <div className="screen activity-screen">
      <h1>Activity</h1>
      <div className="filters">
        <label className="field" htmlFor="activity-result">
          <span className="field-label">Show</span>
          <select
            id="activity-result"
            autoFocus
            value={filter}
            onChange={(event) => setFilter(event.target.value as ResultFilter)}
          >
            <option value="all">All decisions</option>
            <option value="admit">Admitted only</option>
            <option value="deny">Denied only</option>
          </select>
        </label>
        <label className="field" htmlFor="activity-gate">
          <span className="field-label">Gate</span>
          <input
            id="activity-gate"
            value={gate}
            placeholder="any gate"
            onChange={(event) => setGate(event.target.value)}
          />
        </label>
        <button
          type="button"
          onClick={() =>
            download(`gatehouse-activity-${new Date().toISOString().slice(0, 19)}.csv`, scansToCsv(scans))
          }
        >
          ⬇ Export CSV
        </button>
      </div>
      {error ? (
        <p role="alert" className="error">
          ✖ {error}
        </p>
      ) : null}
      <h2>Conflicts {conflicts.length ? `(${conflicts.length})` : ''}</h2>
      {conflicts.length === 0 ? <p>No conflicts: no ticket was admitted at two gates.</p> : null}
      <ul className="conflicts" data-testid="conflicts" hidden={conflicts.length === 0}>
        {conflicts.map((conflict) => (
          <li key={conflict.id}>
            ⚠ {conflict.barcode}: admitted at{' '}
            {conflict.scans.map((scan) => `${scan.gate} (${dateTime(scan.at)})`).join(' and ')}
          </li>
        ))}
      </ul>
      <h2>Recent decisions</h2>
      <table className="table" data-testid="activity-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Gate</th>
            <th>Barcode</th>
            <th>Decision</th>
            <th>Reason</th>
            <th>Note</th>
          </tr>
        </thead>
        <tbody>
          {scans.map((scan) => (
            <tr key={scan.id} className={scan.result === 'admit' ? 'row-admit' : 'row-deny'}>
              <td>{dateTime(scan.at)}</td>
              <td>{scan.gate}</td>
              <td>{scan.barcode}</td>
              <td>{scan.result === 'admit' ? '✔ admit' : '✖ deny'}</td>
              <td>{REASON_WORDS[scan.reason]}</td>
              <td>{scan.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
