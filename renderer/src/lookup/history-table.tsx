/**
 * A ticket's records at every gate, each labelled for what it is: an admission (with "Annul…" while
 * it stands, "annulled" once taken back), an exit, a denial, an annulment, a conflict review.
 */
import type { ScanRecord } from '../../../shared/scans.js';
import { dateTime, reasonWords } from '../scan/verdict.js';

function kindWords(scan: ScanRecord, isAnnulled: boolean): string {
  switch (scan.kind) {
    case 'annul':
      return '↺ annulment';
    case 'review':
      return '✔ conflict reviewed';
    case 'manual':
    case 'scan':
      if (scan.result === 'deny') return '✖ deny';
      if (isAnnulled) return scan.direction === 'out' ? '✔ exit (annulled)' : '✔ admit (annulled)';
      return scan.direction === 'out' ? '✔ exit' : '✔ admit';
    default: {
      const impossible: never = scan.kind;
      return String(impossible);
    }
  }
}

export function HistoryTable({
  history,
  onAnnul,
}: {
  history: ScanRecord[];
  onAnnul(scan: ScanRecord): void;
}) {
  const annulled = new Set(
    history.flatMap((scan) => (scan.kind === 'annul' && scan.annuls ? [scan.annuls] : [])),
  );
  const byId = new Map(history.map((scan) => [scan.id, scan]));
  return (
    <table className="table history" data-testid="ticket-history">
      <tbody>
        {history.map((scan) => {
          const isAnnulled = annulled.has(scan.id);
          const canAnnul = scan.result === 'admit' && scan.kind !== 'annul' && !isAnnulled;
          const target = scan.annuls ? byId.get(scan.annuls) : undefined;
          const rowKind =
            scan.kind === 'annul' ? 'annulment' : scan.result === 'admit' && !isAnnulled ? 'admit' : 'deny';
          return (
            <tr
              key={scan.id}
              className={`row-${rowKind}`}
              data-testid={scan.kind === 'annul' ? 'annulment-row' : 'history-row'}
            >
              <td>{dateTime(scan.at)}</td>
              <td>{scan.gate}</td>
              <td className="kind">{kindWords(scan, isAnnulled)}</td>
              <td>
                {scan.kind === 'annul'
                  ? `takes back the admission${target ? ` at ${target.gate}, ${dateTime(target.at)}` : ''}`
                  : reasonWords(scan.reason)}
                {scan.note ? <span className="note"> — {scan.note}</span> : null}
              </td>
              <td>
                {canAnnul ? (
                  <button type="button" data-testid="annul" onClick={() => onAnnul(scan)}>
                    Annul…
                  </button>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
