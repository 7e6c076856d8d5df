/** A labelled form field that shows the API's complaint next to it when it names this field. */
import type { ReactNode } from 'react';
import { FIELD_LABELS } from './draft.js';

export interface FieldError {
  field: string | null;
  /** A whole sentence for a person, naming the field ("Pulse must be at least 50 ms"). */
  problem: string;
}

export function Field({
  name,
  error,
  hint,
  children,
}: {
  name: string;
  error: FieldError | null;
  hint?: string;
  children: ReactNode;
}) {
  const isWrong = error?.field === name;
  return (
    <div className={`field${isWrong ? ' field-wrong' : ''}`} data-field={name}>
      <label className="field-label" htmlFor={`setting-${name}`}>
        {FIELD_LABELS[name] ?? name}
      </label>
      {children}
      {hint ? <span className="hint">{hint}</span> : null}
      {isWrong ? (
        <span className="field-error" role="alert" data-testid={`error-${name}`}>
          ✖ {error.problem}
        </span>
      ) : null}
    </div>
  );
}
