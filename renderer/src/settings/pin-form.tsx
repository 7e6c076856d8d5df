/**
 * The one staff-PIN form: the PIN is checked by the gate (`verify`), never in the page. Used to
 * unlock a protected screen and to unlock a gate shared beyond loopback.
 */
import { useState, type ReactNode } from 'react';

export interface PinFormProps {
  title: string;
  children?: ReactNode;
  inputId: string;
  formTestId?: string;
  inputTestId?: string;
  /** Asks the gate; resolves null when the PIN is right, else the words to show. */
  verify(pin: string): Promise<string | null>;
  onUnlock(pin: string): void;
}

export function PinForm({
  title,
  children,
  inputId,
  formTestId,
  inputTestId,
  verify,
  onUnlock,
}: PinFormProps) {
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="screen pin-unlock"
      data-testid={formTestId}
      onSubmit={async (event) => {
        event.preventDefault();
        const problem = await verify(pin);
        if (problem === null) return onUnlock(pin);
        setPin('');
        setError(problem);
      }}
    >
      <h1>{title}</h1>
      {children}
      <label className="field" htmlFor={inputId}>
        <span className="field-label">Staff PIN</span>
        <input
          id={inputId}
          data-testid={inputTestId}
          type="password"
          inputMode="numeric"
          autoFocus
          value={pin}
          onChange={(event) => setPin(event.target.value)}
        />
      </label>
      <button type="submit" className="primary">
        Unlock
      </button>
      {error ? (
        <p role="alert" className="error">
          ✖ {error}
        </p>
      ) : null}
    </form>
  );
}
