/** Admitted tonight, inside now, capacity when known. */
import { useGate } from '../gate-context.js';

export function Counters() {
  const { stats } = useGate();
  const admitted = stats?.admittedTonight.reduce((sum, row) => sum + row.count, 0) ?? 0;
  return (
    <dl className="counters" data-testid="counters">
      <div>
        <dt>Admitted tonight</dt>
        <dd data-testid="admitted-tonight">{admitted}</dd>
      </div>
      <div>
        <dt>Inside now</dt>
        <dd data-testid="inside-now">{stats?.insideNow ?? 0}</dd>
      </div>
      <div>
        <dt>Capacity</dt>
        <dd>{stats?.capacity ?? '—'}</dd>
      </div>
    </dl>
  );
}
