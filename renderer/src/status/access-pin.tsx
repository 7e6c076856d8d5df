/**
 * A gate served beyond loopback (a supervisor's tablet, a kiosk box) refuses its API without the
 * staff PIN. This screen asks for it once per browser tab; the gate checks it, never the page.
 */
import { useState } from 'react';
import { useGate } from '../gate-context.js';

export function AccessPin() {
  const { client } = useGate();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="screen pin-unlock"
      data-testid="access-pin"
      onSubmit={async (event) => {
        event.preventDefault();
        client.setAccessPin?.(pin);
        const answer = await client.api.status({});
        if (answer.ok) return location.reload();
        setPin('');
        setError(answer.error.code === 'unauthorized' ? 'Wrong PIN' : answer.error.message);
      }}
    >
      <h1>This gate needs the staff PIN</h1>
      <p>The gate is shared on the network, so its screen is locked until a staff PIN is entered.</p>
      <label className="field" htmlFor="access-pin-input">
        <span className="field-label">Staff PIN</span>
        <input
          id="access-pin-input"
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
