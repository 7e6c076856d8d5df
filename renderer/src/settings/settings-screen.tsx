/** Settings (behind the staff PIN when one is set). Invalid values are refused with the field named. */
import { errorSentence } from '../../../shared/messages.js';
import { useEffect, useState } from 'react';
import type { SettingsView } from '../../../shared/gate-api.js';
import type { EventInfo } from '../../../shared/tickets.js';
import { useGate } from '../gate-context.js';
import { useStaffPin } from '../staff-pin.js';
import { tokenStorageWords } from '../status/token-storage.js';
import { FIELD_LABELS, changesOf, draftOf, fieldOfError, type Draft } from './draft.js';
import { EventsPicker } from './events-picker.js';
import { FoundRelays } from './found-relays.js';
import { Field, type FieldError } from './field.js';
import { PinUnlock } from './pin-unlock.js';
import { SupportSection } from './support-section.js';
import { TurnstileSection } from './turnstile-section.js';

export function SettingsScreen() {
  const { settings } = useGate();
  const staff = useStaffPin();
  // A PIN entered within the unlock period (here or for a staff action) opens Settings directly.
  const [pin, setPin] = useState<string | null>(() => staff.current() ?? null);
  if (!settings) return <p className="screen">Loading settings…</p>;
  if (settings.hasPin && pin === null) {
    return (
      <PinUnlock
        what="Settings"
        onUnlock={(entered) => {
          staff.remember(entered);
          setPin(entered);
        }}
      />
    );
  }
  return <SettingsForm view={settings} pin={pin ?? undefined} />;
}

function SettingsForm({ view, pin }: { view: SettingsView; pin: string | undefined }) {
  const { client, refreshSettings } = useGate();
  const [draft, setDraft] = useState<Draft>(() => draftOf(view));
  const [known, setKnown] = useState<EventInfo[]>([]);
  const [error, setError] = useState<FieldError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const update = (changes: Partial<Draft>) => setDraft((previous) => ({ ...previous, ...changes }));

  useEffect(() => {
    void client.api.events({}).then((answer) => answer.ok && setKnown(answer.value.events));
  }, [client]);

  const save = async () => {
    const changes = changesOf(draft, view);
    if (Object.keys(changes).length === 0) return setNotice('Nothing changed.');
    const answer = await client.api.updateSettings({ changes, pin });
    if (!answer.ok) {
      setNotice(null);
      return setError(
        answer.error.code === 'bad_request'
          ? fieldOfError(answer.error.message)
          : { field: null, problem: errorSentence(answer.error.message) },
      );
    }
    setError(null);
    setNotice('✔ Saved.');
    setDraft(draftOf(answer.value));
    await refreshSettings();
  };

  const text = (
    name: keyof Draft & keyof typeof FIELD_LABELS,
    props: { type?: string; hint?: string; placeholder?: string; autoFocus?: boolean } = {},
  ) => (
    <Field name={name} error={error} hint={props.hint}>
      <input
        id={`setting-${name}`}
        data-testid={`setting-${name}`}
        type={props.type ?? 'text'}
        autoFocus={props.autoFocus}
        placeholder={props.placeholder}
        autoComplete="off"
        value={String(draft[name])}
        onChange={(event) => update({ [name]: event.target.value })}
      />
    </Field>
  );

  return (
    <form
      className="screen settings-screen"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h1>Settings</h1>
      <fieldset className="section">
        <legend>Relay</legend>
        <FoundRelays current={draft.relayUrl} onPick={(relayUrl) => update({ relayUrl })} />
        {text('relayUrl', {
          autoFocus: true,
          placeholder: 'wss://relay.example.com',
          hint: 'ws://, wss://, http:// or https://',
        })}
        {text('token', {
          type: 'password',
          placeholder: view.hasToken ? 'set — type a new token to replace it' : 'not set',
          hint: `write-only: never shown again; ${tokenStorageWords(view.tokenStorage)}`,
        })}
        {text('gateName')}
      </fieldset>
      <fieldset className="section">
        <legend>Admission</legend>
        <EventsPicker
          known={known}
          events={draft.events}
          ticketTypes={draft.ticketTypes}
          onEvents={(events) => update({ events })}
          onTicketTypes={(ticketTypes) => update({ ticketTypes })}
        />
        <Field name="mode" error={error}>
          <select
            id="setting-mode"
            value={draft.mode}
            onChange={(event) => update({ mode: event.target.value === 'exit' ? 'exit' : 'entry' })}
          >
            <option value="entry">Entry gate</option>
            <option value="exit">Exit gate</option>
          </select>
        </Field>
        <Field name="reentry" error={error}>
          <select
            id="setting-reentry"
            value={draft.reentry}
            onChange={(event) =>
              update({ reentry: event.target.value === 'after_exit' ? 'after_exit' : 'never' })
            }
          >
            <option value="never">No re-entry</option>
            <option value="after_exit">Re-entry after an exit scan</option>
          </select>
        </Field>
        {text('capacity', { hint: 'people; empty = not shown' })}
      </fieldset>
      <fieldset className="section">
        <legend>This PC</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.sounds}
            onChange={(event) => update({ sounds: event.target.checked })}
          />{' '}
          Sounds on admit / deny
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.kiosk}
            onChange={(event) => update({ kiosk: event.target.checked })}
          />{' '}
          Kiosk (full screen, no window controls)
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.hideNames}
            onChange={(event) => update({ hideNames: event.target.checked })}
          />{' '}
          Hide names (no holder or buyer names or emails on screen; no lookup by name)
        </label>
        {text('pinUnlockMinutes', {
          hint: 'minutes a staff PIN, once entered, is not asked again; 0 = every time',
        })}
        {client.shell ? (
          <label className="check">
            <input
              type="checkbox"
              data-testid="setting-openAtLogin"
              checked={draft.openAtLogin}
              onChange={(event) => update({ openAtLogin: event.target.checked })}
            />{' '}
            Open at login (start Gatehouse when this PC starts)
          </label>
        ) : null}
        <Field
          name="pin"
          error={error}
          hint={view.hasPin ? 'a PIN is set; type a new one to change it' : '4 to 12 digits; empty = no PIN'}
        >
          <input
            id="setting-pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            value={draft.newPin}
            onChange={(event) => update({ newPin: event.target.value })}
          />
        </Field>
        {view.hasPin ? (
          <label className="check">
            <input
              type="checkbox"
              checked={draft.isPinRemoved}
              onChange={(event) => update({ isPinRemoved: event.target.checked })}
            />{' '}
            Remove the PIN
          </label>
        ) : null}
      </fieldset>
      <TurnstileSection draft={draft} update={update} error={error} pin={pin} />
      <SupportSection pin={pin} />
      <div className="actions sticky">
        <button type="submit" className="primary" data-testid="settings-save">
          Save
        </button>
        {notice ? <span role="status">{notice}</span> : null}
        {error ? (
          <span role="alert" className="error" data-testid="settings-error">
            ✖ {error.problem}
          </span>
        ) : null}
      </div>
    </form>
  );
}
