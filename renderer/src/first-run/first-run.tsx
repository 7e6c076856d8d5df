/**
 * First run: connect this gate to a relay, or start the demo where the shell offers it. The relay URL
 * and token are tested before anything is saved (reachable, token accepted, events listed); the gate
 * then takes the name the relay knows its token by, and staff pick tonight's event(s).
 */
import { useEffect, useState } from 'react';
import type { RelayTest } from '../../../shared/gate-api.js';
import { errorSentence } from '../../../shared/messages.js';
import { eventLine } from '../format.js';
import { useGate } from '../gate-context.js';
import { fieldOfError } from '../settings/draft.js';
import { FoundRelays } from '../settings/found-relays.js';
import { Field, type FieldError } from '../settings/field.js';
import { tokenStorageWords } from '../status/token-storage.js';

export function FirstRun({ onDone }: { onDone(): void }) {
  const { client, settings, refreshSettings } = useGate();
  const [relayUrl, setRelayUrl] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<FieldError | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const [connected, setConnected] = useState<RelayTest | null>(null);
  const [hasDemo, setHasDemo] = useState(false);
  const startDemo = client.shell?.startDemo;

  useEffect(() => {
    void client.shell?.hasDemo?.().then(setHasDemo);
  }, [client]);

  // Test input names fields without the `changes.` of a settings change: add it to find the field.
  const failed = (message: string, code: string) =>
    code === 'bad_request' && /^[\w.]+: /.test(message)
      ? setError(fieldOfError(`changes.${message}`))
      : setProblem(errorSentence(message));

  const connect = async () => {
    setIsBusy(true);
    setError(null);
    setProblem(null);
    try {
      const tested = await client.api.testRelay({ relayUrl: relayUrl.trim(), token });
      if (!tested.ok) return failed(tested.error.message, tested.error.code);
      if (tested.value.problem !== null) return setProblem(tested.value.problem);
      // The relay records scans under the gate its token belongs to: this gate takes that name.
      const saved = await client.api.updateSettings({
        changes: {
          relayUrl: relayUrl.trim(),
          token,
          ...(tested.value.gate ? { gateName: tested.value.gate } : {}),
        },
      });
      if (!saved.ok) return failed(saved.error.message, saved.error.code);
      setConnected(tested.value);
    } finally {
      setIsBusy(false);
    }
  };

  if (connected) return <ChooseEvents connected={connected} onDone={onDone} />;
  return (
    <div className="screen first-run" data-testid="first-run">
      <h1>Welcome to Gatehouse</h1>
      <p>
        This gate needs a relay to get its ticket list. Pick one found on this network, or ask whoever runs
        the relay for its address; either way you need a gate token from them.
      </p>
      <form
        className="section"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void connect();
        }}
      >
        <h2>Connect to a relay</h2>
        <FoundRelays current={relayUrl} onPick={setRelayUrl} />
        <Field name="relayUrl" error={error} hint="e.g. wss://relay.example.com">
          <input
            id="setting-relayUrl"
            data-testid="first-run-url"
            autoFocus
            value={relayUrl}
            onChange={(event) => setRelayUrl(event.target.value)}
          />
        </Field>
        <Field
          name="token"
          error={error}
          hint={`${tokenStorageWords(settings?.tokenStorage ?? 'file')}; never shown again`}
        >
          <input
            id="setting-token"
            data-testid="first-run-token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(event) => setToken(event.target.value)}
          />
        </Field>
        <button type="submit" className="primary" disabled={isBusy}>
          {isBusy ? 'Testing the relay…' : 'Test and connect'}
        </button>
        {problem ? (
          <p role="alert" className="error" data-testid="first-run-problem">
            ✖ {problem}
          </p>
        ) : null}
        {error && !error.field ? (
          <p role="alert" className="error">
            ✖ {error.problem}
          </p>
        ) : null}
      </form>
      {startDemo && hasDemo ? (
        <div className="section">
          <h2>Just looking?</h2>
          <p>The demo runs a relay and a simulated ticket feed on this PC, so you can try scanning.</p>
          <button
            type="button"
            onClick={async () => {
              const answer = await startDemo();
              if (!answer.ok) return setProblem(answer.message);
              await refreshSettings();
              onDone();
            }}
          >
            Start the demo
          </button>
        </div>
      ) : null}
      <button type="button" className="link" onClick={onDone}>
        Skip for now
      </button>
    </div>
  );
}

/** Step two: the relay answered; pick the event(s) this gate admits for. */
function ChooseEvents({ connected, onDone }: { connected: RelayTest; onDone(): void }) {
  const { client, refreshSettings } = useGate();
  const [events, setEvents] = useState<string[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const start = async () => {
    const saved = await client.api.updateSettings({ changes: { events } });
    if (!saved.ok) return setProblem(errorSentence(saved.error.message));
    await refreshSettings();
    onDone();
  };
  return (
    <div className="screen first-run" data-testid="first-run">
      <h1>Connected{connected.gate ? ` as ${connected.gate}` : ''}</h1>
      <p className="notice">✔ The relay answered and accepted this gate&apos;s token.</p>
      <fieldset className="section" data-testid="first-run-events">
        <legend>Which event does this gate admit for tonight?</legend>
        {connected.events.length === 0 ? <p className="hint">The relay knows no events yet.</p> : null}
        {connected.events.map((event) => (
          <label key={event.id} className="check">
            <input
              type="checkbox"
              checked={events.includes(event.id)}
              onChange={() =>
                setEvents((chosen) =>
                  chosen.includes(event.id) ? chosen.filter((id) => id !== event.id) : [...chosen, event.id],
                )
              }
            />
            {event.name} · {eventLine(event)}
          </label>
        ))}
      </fieldset>
      <button type="button" className="primary" data-testid="first-run-start" onClick={() => void start()}>
        Start scanning
      </button>
      {problem ? (
        <p role="alert" className="error">
          ✖ {problem}
        </p>
      ) : null}
    </div>
  );
}
