/** Turnstile settings and a "test open" button that pulses the real device through the engine. */
import { errorSentence } from '../../../shared/messages.js';
import { useState } from 'react';
import type { Direction } from '../../../shared/scans.js';
import { TURNSTILE_PRESETS, TURNSTILE_SPEC_FORMS } from '../../../shared/turnstile.js';
import { useGate } from '../gate-context.js';
import type { Draft } from './draft.js';
import { Field, type FieldError } from './field.js';

export function TurnstileSection({
  draft,
  update,
  error,
  pin,
}: {
  draft: Draft;
  update(changes: Partial<Draft>): void;
  error: FieldError | null;
  pin: string | undefined;
}) {
  const { client, status } = useGate();
  const [outcome, setOutcome] = useState<string | null>(null);
  const test = async (direction: Direction) => {
    setOutcome('Opening…');
    const answer = await client.api.turnstileTest({ direction, pin });
    if (!answer.ok) return setOutcome(`✖ ${errorSentence(answer.error.message)}`);
    const result = answer.value;
    setOutcome(
      result.opened
        ? `✔ Opened${result.passed === undefined ? '' : result.passed ? ', passage seen' : ', no passage seen'}`
        : `✖ Did not open${result.error ? `: ${result.error}` : ''}`,
    );
  };
  const turnstile = status?.turnstile;
  return (
    <fieldset className="section">
      <legend>Turnstile</legend>
      <p data-testid="turnstile-state">
        Device:{' '}
        {turnstile
          ? `${turnstile.driver} — ${turnstile.state}${turnstile.message ? ` (${turnstile.message})` : ''}`
          : 'unknown'}
      </p>
      <label className="field" htmlFor="turnstile-preset">
        <span className="field-label">Start from</span>
        <select
          id="turnstile-preset"
          value=""
          onChange={(event) => event.target.value !== '' && update({ turnstileSpec: event.target.value })}
        >
          <option value="">Choose a device type…</option>
          {TURNSTILE_PRESETS.map((preset) => (
            <option key={preset.name} value={preset.spec}>
              {preset.name}
            </option>
          ))}
        </select>
      </label>
      <Field name="turnstile.spec" error={error} hint={TURNSTILE_SPEC_FORMS.join(', ')}>
        <input
          id="setting-turnstile.spec"
          value={draft.turnstileSpec}
          onChange={(event) => update({ turnstileSpec: event.target.value })}
        />
      </Field>
      <Field name="turnstile.exitSpec" error={error} hint="empty = same device">
        <input
          id="setting-turnstile.exitSpec"
          value={draft.turnstileExitSpec}
          onChange={(event) => update({ turnstileExitSpec: event.target.value })}
        />
      </Field>
      <Field name="turnstile.pulseMs" error={error} hint="milliseconds">
        <input
          id="setting-turnstile.pulseMs"
          inputMode="numeric"
          value={draft.pulseMs}
          onChange={(event) => update({ pulseMs: event.target.value })}
        />
      </Field>
      <Field name="turnstile.passageTimeoutMs" error={error} hint="milliseconds; empty = no passage sensor">
        <input
          id="setting-turnstile.passageTimeoutMs"
          inputMode="numeric"
          value={draft.passageTimeoutMs}
          onChange={(event) => update({ passageTimeoutMs: event.target.value })}
        />
      </Field>
      <div className="actions">
        <button type="button" onClick={() => void test('in')}>
          Test open (entry)
        </button>
        <button type="button" onClick={() => void test('out')}>
          Test open (exit)
        </button>
        {outcome ? (
          <span role="status" data-testid="turnstile-test-outcome">
            {outcome}
          </span>
        ) : null}
      </div>
    </fieldset>
  );
}
