/**
 * The night report for the duty manager: a printable page (the print stylesheet drops the app
 * around it) with the venue and the event, and a CSV export with the same figures.
 */
import { useEffect, useState } from 'react';
import { errorSentence } from '../../../shared/messages.js';
import { reportToCsv, type NightReport } from '../../../shared/report.js';
import type { EventInfo } from '../../../shared/tickets.js';
import { eventWhen, shortBarcode } from '../format.js';
import { useGate } from '../gate-context.js';
import { clockTime, dateTime, reasonWords } from '../scan/verdict.js';
import { download } from './download.js';

const ALL = '';

export function ReportScreen({ onBack }: { onBack(): void }) {
  const { client, settings, status } = useGate();
  const [eventId, setEventId] = useState(ALL);
  const [report, setReport] = useState<NightReport | null>(null);
  const [events, setEvents] = useState<EventInfo[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void client.api.events({}).then((answer) => answer.ok && setEvents(answer.value.events));
  }, [client]);
  useEffect(() => {
    let isLive = true;
    void client.api.report(eventId === ALL ? {} : { eventId }).then((answer) => {
      if (!isLive) return;
      if (!answer.ok) return setError(errorSentence(answer.error.message));
      setError(null);
      setReport(answer.value);
    });
    return () => {
      isLive = false;
    };
  }, [client, eventId]);

  const gateEvents = settings?.events ?? [];
  const shown = events.filter((event) =>
    eventId === ALL ? gateEvents.includes(event.id) : event.id === eventId,
  );
  const venues = [...new Set(shown.map((event) => event.venueName).filter((name) => name !== null))];
  return (
    <div className="screen report-screen">
      <div className="report-actions screen-head" data-testid="report-actions">
        <button type="button" onClick={onBack}>
          ← Activity
        </button>
        {gateEvents.length > 1 ? (
          <label className="field" htmlFor="report-event">
            <span className="field-label">Event</span>
            <select id="report-event" value={eventId} onChange={(event) => setEventId(event.target.value)}>
              <option value={ALL}>All events of this gate</option>
              {gateEvents.map((id) => (
                <option key={id} value={id}>
                  {events.find((event) => event.id === id)?.name ?? `Event ${id}`}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="button" className="primary" onClick={() => window.print()}>
          Print…
        </button>
        <button
          type="button"
          data-testid="report-csv"
          disabled={!report}
          onClick={() =>
            report &&
            download(
              `gatehouse-report-${new Date().toISOString().slice(0, 10)}.csv`,
              reportToCsv(report),
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
      {report ? (
        <article className="report" data-testid="report">
          <header>
            <h1>{venues.length ? venues.join(' · ') : 'Night report'}</h1>
            <p className="report-event">
              {shown.length
                ? shown.map((event) => `${event.name} — ${eventWhen(event.startDate)}`).join('; ')
                : 'All events'}
            </p>
            <p className="hint">
              Night report from {status?.gate ?? settings?.gateName ?? 'this gate'},{' '}
              {dateTime(new Date().toISOString())}
            </p>
          </header>
          <ReportFigures report={report} />
        </article>
      ) : (
        <p>Counting…</p>
      )}
    </div>
  );
}

function ReportFigures({ report }: { report: NightReport }) {
  const denied = Object.entries(report.deniedByReason);
  return (
    <>
      <dl className="report-totals">
        <div>
          <dt>Admitted</dt>
          <dd data-testid="report-admitted">{report.admitted}</dd>
        </div>
        <div>
          <dt>Peak inside</dt>
          <dd>
            {report.peakInside.count}
            {report.peakInside.at ? <small> at {clockTime(report.peakInside.at)}</small> : null}
          </dd>
        </div>
        <div>
          <dt>First scan</dt>
          <dd>{report.firstScanAt ? clockTime(report.firstScanAt) : '—'}</dd>
        </div>
        <div>
          <dt>Last scan</dt>
          <dd>{report.lastScanAt ? clockTime(report.lastScanAt) : '—'}</dd>
        </div>
      </dl>
      <section>
        <h2>Denied, by reason</h2>
        {denied.length === 0 ? <p>None.</p> : null}
        <table className="table">
          <tbody>
            {denied.map(([reason, count]) => (
              <tr key={reason}>
                <td>{reasonWords(reason)}</td>
                <td className="number">{count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>By gate</h2>
        <table className="table">
          <thead>
            <tr>
              <th>Gate</th>
              <th className="number">Admitted</th>
              <th className="number">Denied</th>
            </tr>
          </thead>
          <tbody>
            {report.byGate.map((row) => (
              <tr key={row.gate}>
                <td>{row.gate}</td>
                <td className="number">{row.admitted}</td>
                <td className="number">{row.denied}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>By ticket type</h2>
        <table className="table">
          <thead>
            <tr>
              <th>Ticket type</th>
              <th className="number">Admitted</th>
              <th className="number">Sold</th>
            </tr>
          </thead>
          <tbody>
            {report.byTicketType.map((row) => (
              <tr key={row.ticketType}>
                <td>{row.ticketType}</td>
                <td className="number">{row.admitted}</td>
                <td className="number">{row.sold}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <StaffActions title="Manual admits" actions={report.manualAdmits} />
      <StaffActions title="Annulments" actions={report.annulments} />
      <section>
        <h2>Conflicts</h2>
        {report.conflicts.length === 0 ? <p>None.</p> : null}
        <ul>
          {report.conflicts.map((conflict) => (
            <li key={conflict.barcode + conflict.admissions.map((admission) => admission.at).join()}>
              {shortBarcode(conflict.barcode)} ({conflict.ticketType ?? 'ticket'}):{' '}
              {conflict.admissions
                .map((admission) => `${admission.gate} ${clockTime(admission.at)}`)
                .join(' and ')}
              {conflict.isReviewed ? ` — reviewed: ${conflict.reviewNote ?? ''}` : ' — not reviewed'}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function StaffActions({ title, actions }: { title: string; actions: NightReport['manualAdmits'] }) {
  return (
    <section>
      <h2>{title}</h2>
      {actions.length === 0 ? <p>None.</p> : null}
      <ul>
        {actions.map((action) => (
          <li key={`${action.at}${action.barcode}`}>
            {clockTime(action.at)} · {action.gate} · {shortBarcode(action.barcode)}
            {action.note ? ` — ${action.note}` : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
