/**
 * "Relays found on this network": the relays the gate hears announced by mDNS, each a button that
 * fills the relay URL (venue relays first), on the first-run screen and in Settings. Asked again
 * every few seconds while shown; finding none is a plain line, not an error.
 */
import { useEffect, useState } from 'react';
import type { FoundRelay } from '../../../shared/gate-api.js';
import { PROTOCOL_VERSION } from '../../../shared/protocol.js';
import { useGate } from '../gate-context.js';

/** The first answer comes before anything is heard: "looking" stays up for this many answers. */
const LOOKING_ANSWERS = 3;
const FIRST_DELAY_MS = 1_000;
const REPEAT_MS = 3_000;

export function FoundRelays({ current, onPick }: { current: string; onPick(url: string): void }) {
  const { client } = useGate();
  const [relays, setRelays] = useState<FoundRelay[]>([]);
  const [answers, setAnswers] = useState(0);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let isMounted = true;
    const ask = async (count: number) => {
      const answer = await client.api.findRelays({});
      if (!isMounted) return;
      if (answer.ok) setRelays(answer.value.relays);
      setAnswers(count + 1);
      timer = setTimeout(() => void ask(count + 1), count === 0 ? FIRST_DELAY_MS : REPEAT_MS);
    };
    void ask(0);
    return () => {
      isMounted = false;
      clearTimeout(timer);
    };
  }, [client]);

  const pick = (url: string) => {
    onPick(url);
    // The address is filled: what is left to type is the token.
    document.getElementById('setting-token')?.focus();
  };

  return (
    <div className="found-relays" data-testid="found-relays">
      <p className="field-label" id="found-relays-title">
        Relays found on this network
      </p>
      {relays.length === 0 ? (
        <p className="hint" data-testid="found-relays-none">
          {answers < LOOKING_ANSWERS
            ? 'Looking for relays on this network…'
            : "None found on this network. Type the relay's address instead."}
        </p>
      ) : (
        <ul className="found-relay-list" aria-labelledby="found-relays-title">
          {relays.map((relay) => (
            <li key={relay.url}>
              <button
                type="button"
                data-testid="found-relay"
                aria-pressed={current.trim() === relay.url}
                onClick={() => pick(relay.url)}
              >
                <strong>{relay.name}</strong> · {relay.role === 'venue' ? 'venue relay' : 'relay'} ·{' '}
                {relay.url}
                {relay.protocol === PROTOCOL_VERSION ? null : (
                  <span className="hint"> · needs a different version of Gatehouse</span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
