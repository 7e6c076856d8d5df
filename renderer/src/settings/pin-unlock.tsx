/** Asks for the staff PIN before a protected screen opens; checked by the gate, never here. */
import { useState } from 'react';
import { useGate } from '../gate-context.js';

export function PinUnlock({ what, onUnlock }: { what: string; onUnlock(pin: string): void }) {
  const { client } = useGate();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="screen pin-unlock"
      onSubmit={async (event) => {
        event.preventDefault();
        const answer = await client.api.checkPin({ pin });
        if (answer.ok && answer.value.isValid) return onUnlock(pin);
        setPin('');
        setError(answer.ok ? 'Wrong PIN' : answer.error.message);
      }}
    >
      <h1>{what} needs the staff PIN</h1>
      <label className="field" htmlFor="unlock-pin">
        <span className="field-label">Staff PIN</span>
        <input
          id="unlock-pin"
          data-testid="unlock-pin"
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
