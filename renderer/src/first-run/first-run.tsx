/** First run: connect this gate to a relay (URL + token), or start the demo where the shell offers it. */
import { useEffect, useState } from 'react';
import { useGate } from '../gate-context.js';
import { FIELD_LABELS, fieldOfError } from '../settings/draft.js';
import { Field, type FieldError } from '../settings/field.js';

export function FirstRun({ onDone }: { onDone(): void }) {
  const { client, settings, refreshSettings } = useGate();
  const [relayUrl, setRelayUrl] = useState('');
  const [token, setToken] = useState('');
  const [gateName, setGateName] = useState(settings?.gateName ?? '');
  const [error, setError] = useState<FieldError | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const [hasDemo, setHasDemo] = useState(false);
  const startDemo = client.shell?.startDemo;

  useEffect(() => {
    void client.shell?.hasDemo?.().then(setHasDemo);
  }, [client]);

  const connect = async () => {
    setIsBusy(true);
    const answer = await client.api.updateSettings({
      changes: { relayUrl: relayUrl.trim(), token, gateName },
    });
    setIsBusy(false);
    if (!answer.ok)
      return setError(
        answer.error.code === 'bad_request'
          ? fieldOfError(answer.error.message)
          : { field: null, problem: answer.error.message },
      );
    await refreshSettings();
    onDone();
  };

  return (
    <div className="screen first-run" data-testid="first-run">
      <h1>Welcome to Gatehouse</h1>
      <p>
        This gate needs a relay to get its ticket list. Ask whoever runs the relay for its address and a gate
        token.
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
        <Field name="relayUrl" error={error} hint="e.g. wss://relay.example.com">
          <input
            id="setting-relayUrl"
            data-testid="first-run-url"
            autoFocus
            value={relayUrl}
            onChange={(event) => setRelayUrl(event.target.value)}
          />
        </Field>
        <Field name="token" error={error} hint="stored encrypted on this PC; never shown again">
          <input
            id="setting-token"
            data-testid="first-run-token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(event) => setToken(event.target.value)}
          />
        </Field>
        <Field name="gateName" error={error}>
          <input
            id="setting-gateName"
            value={gateName}
            onChange={(event) => setGateName(event.target.value)}
          />
        </Field>
        <button type="submit" className="primary" disabled={isBusy}>
          Connect
        </button>
        {error && !error.field ? (
          <p role="alert" className="error">
            ✖ {error.problem}
          </p>
        ) : null}
        {error?.field ? <p className="error">✖ Check {FIELD_LABELS[error.field]}.</p> : null}
      </form>
      {startDemo && hasDemo ? (
        <div className="section">
          <h2>Just looking?</h2>
          <p>The demo runs a relay and a simulated ticket feed on this PC, so you can try scanning.</p>
          <button
            type="button"
            onClick={async () => {
              const answer = await startDemo();
              if (!answer.ok) return setError({ field: null, problem: answer.message });
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
