/** The decision, filling the screen: colour plus a word plus an icon, the reason in big words. */
import type { ScanResult } from '../../../shared/gate-api.js';
import { useGate } from '../gate-context.js';
import { VERDICT_LABEL, clockTime, headline, verdictOf } from './verdict.js';

export function ResultPanel({ result }: { result: ScanResult }) {
  const isNameHidden = useGate().settings?.hideNames ?? false;
  const verdict = verdictOf(result);
  const label = VERDICT_LABEL[verdict];
  const ticket = result.ticket;
  return (
    <section
      className={`result result-${verdict}`}
      data-testid="scan-result"
      data-result={verdict}
      data-reason={result.reason}
      data-scan-id={result.scanId}
      aria-live="assertive"
    >
      <div className="result-title">
        <span className="result-icon" aria-hidden="true">
          {label.icon}
        </span>
        {label.title}
      </div>
      <div className="result-reason">{headline(result)}</div>
      {result.previous ? (
        <div className="result-previous" data-testid="result-previous">
          at {result.previous.gate}, {clockTime(result.previous.at)}
        </div>
      ) : null}
      {result.attention ? <div className="result-note">⚠ {result.attention}</div> : null}
      {ticket ? (
        <div className="result-ticket">
          <div className="result-holder" data-testid="result-holder">
            {ticket.holderName ?? (isNameHidden ? 'Name hidden' : 'No name on ticket')}
          </div>
          <div className="result-type">
            {ticket.ticketType ?? 'Ticket'} · {ticket.eventName}
          </div>
        </div>
      ) : null}
      {/* The engine's sentence, when it says more than the big words above already do. */}
      {result.previous || result.message === headline(result) ? null : (
        <div className="result-message">{result.message}</div>
      )}
    </section>
  );
}
