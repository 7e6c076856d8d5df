/**
 * Activity: recent decisions (with the holder's name on every row) filtered by result and by part
 * of a gate's name, the conflicts to review, export to CSV — and the night report (Activity → Report).
 */
import { useCallback, useEffect, useState } from 'react';
import type { ActivityRow } from '../../../shared/gate-api.js';
import { errorSentence } from '../../../shared/messages.js';
import { shortBarcode } from '../format.js';
import { useGate } from '../gate-context.js';
import { dateTime, reasonWords } from '../scan/verdict.js';
import { ConflictsList } from './conflicts-list.js';
import { scansToCsv } from './csv.js';
import { download } from './download.js';
import { ReportScreen } from './report-screen.js';

type ResultFilter = 'all' | 'admit' | 'deny';

function decisionWords(scan: ActivityRow): string {
  if (scan.kind === 'annul') return '↺ annulment';
  if (scan.kind === 'review') return '✔ reviewed';
  if (scan.result === 'deny') return '✖ deny';
  return scan.direction === 'out' ? '✔ exit' : '✔ admit';
}

export function ActivityScreen() {
  const [view, setView] = useState<'decisions' | 'report'>('decisions');
  return view === 'report' ? (
    <ReportScreen onBack={() => setView('decisions')} />
  ) : (
    <Decisions onReport={() => setView('report')} />
  );
}

function Decisions({ onReport }: { onReport(): void }) {
  const { client, settings } = useGate();
  const [filter, setFilter] = useState<ResultFilter>('all');
  const [gate, setGate] = useState('');
  const [scans, setScans] = useState<ActivityRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isNameHidden = settings?.hideNames ?? false;

  const load = useCallback(async () => {
    const answer = await client.api.activity({
      limit: 200,
      result: filter === 'all' ? undefined : filter,
      gate: gate.trim() === '' ? undefined : gate.trim(),
    });
    if (!answer.ok) return setError(errorSentence(answer.error.message));
    setError(null);
    setScans(answer.value.scans);
  }, [client, filter, gate]);

  useEffect(() => {
    void load();
    return client.onEvent((event) => event.type === 'decision' && void load());
  }, [load, client]);

  return (
    <div className="screen activity-screen">
      <div className="screen-head">
        <h1>Activity</h1>
        <button type="button" data-testid="open-report" onClick={onReport}>
          Night report…
        </button>
      </div>
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
          <span className="field-label">Gate (part of its name)</span>
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
            download(
              `gatehouse-activity-${new Date().toISOString().slice(0, 19)}.csv`,
              scansToCsv(scans ?? []),
              'text/csv',
            )
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
      <ConflictsList />
      <h2>Recent decisions</h2>
      {scans && scans.length === 0 ? (
        <p data-testid="activity-empty">
          {gate.trim() === '' ? 'No decisions yet.' : `No decisions at a gate matching “${gate.trim()}”.`}
        </p>
      ) : null}
      <table className="table activity-table" data-testid="activity-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Gate</th>
            <th>Ticket</th>
            <th>Decision</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {(scans ?? []).map((scan) => (
            <tr
              key={scan.id}
              data-testid="activity-row"
              className={scan.result === 'admit' ? 'row-admit' : 'row-deny'}
            >
              <td data-label="Time">{dateTime(scan.at)}</td>
              <td data-label="Gate">{scan.gate}</td>
              <td data-label="Ticket">
                <strong>{scan.holderName ?? (isNameHidden ? 'Name hidden' : '—')}</strong>{' '}
                <code title={scan.barcode}>{shortBarcode(scan.barcode)}</code>
                {scan.ticketType ? <span className="hint"> {scan.ticketType}</span> : null}
              </td>
              <td data-label="Decision" className="decision">
                {decisionWords(scan)}
              </td>
              <td data-label="Reason">
                {reasonWords(scan.reason)}
                {scan.note ? <span className="note"> — {scan.note}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
