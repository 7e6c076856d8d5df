/** Admitted tonight, and inside now against capacity when one is set (amber from 90 %, red when full). */
import { useGate } from '../gate-context.js';

/** How full the venue is, for the counter's colour: words as well as colour (data-level, title). */
export function capacityLevel(inside: number, capacity: number | null): 'normal' | 'near' | 'full' {
  if (capacity === null) return 'normal';
  if (inside >= capacity) return 'full';
  return inside >= capacity * 0.9 ? 'near' : 'normal';
}

const LEVEL_WORDS = { normal: '', near: 'nearly full', full: 'full: entry stopped' } as const;

export function Counters() {
  const { stats } = useGate();
  const admitted = stats?.admittedTonight.reduce((sum, row) => sum + row.count, 0) ?? 0;
  const inside = stats?.insideNow ?? 0;
  const capacity = stats?.capacity ?? null;
  const level = capacityLevel(inside, capacity);
  return (
    <dl className="counters" data-testid="counters">
      <div>
        <dt>Admitted tonight</dt>
        <dd data-testid="admitted-tonight">{admitted}</dd>
      </div>
      <div className={`capacity-${level}`} data-testid="inside-counter" data-level={level}>
        <dt>{capacity === null ? 'Inside now' : 'Inside / capacity'}</dt>
        <dd title={LEVEL_WORDS[level] || undefined}>
          <span data-testid="inside-now">{inside}</span>
          {capacity === null ? null : <span data-testid="capacity"> / {capacity}</span>}
        </dd>
        {level === 'normal' ? null : <dd className="capacity-words">{LEVEL_WORDS[level]}</dd>}
      </div>
    </dl>
  );
}
