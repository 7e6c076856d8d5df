/**
 * The Scan screen: one input that always holds focus. A scanner burst ending in Enter or Tab is a
 * scan; a person typing slowly sees lookup results, and Enter takes them to Lookup.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ScanResult, TicketDetail } from '../../../shared/gate-api.js';
import { CameraScanner } from '../../camera/camera-scanner.js';
import { useGate } from '../gate-context.js';
import { errorSentence } from '../../../shared/messages.js';
import { shortBarcode } from '../format.js';
import { Counters } from './counters.js';
import { EventWindowWarning } from './event-window-warning.js';
import { IdlePanel } from './idle-panel.js';
import {
  EMPTY_BUFFER,
  classifySubmit,
  looksLikeBarcode,
  shouldLookUpWhileTyping,
  syncBuffer,
  type KeyBuffer,
} from './keystroke-timing.js';
import { ResultPanel } from './result-panel.js';
import { playTone } from './sounds.js';
import { verdictOf } from './verdict.js';

const RESULT_MS = 3000;
const LOOKUP_DEBOUNCE_MS = 250;

export function ScanScreen({ onLookup }: { onLookup(query: string): void }) {
  const { client, settings } = useGate();
  const input = useRef<HTMLInputElement>(null);
  const buffer = useRef<KeyBuffer>(EMPTY_BUFFER);
  /** When the scan was submitted and when the gate answered, for the paint measurements (bench/ui.ts). */
  const submittedAt = useRef<number | null>(null);
  const answeredAt = useRef<number>(0);
  /** The first answer to the pending scan: the pushed decision event or the HTTP reply, whichever is first. */
  const markAnswered = () => {
    if (submittedAt.current !== null && answeredAt.current < submittedAt.current)
      answeredAt.current = performance.now();
  };
  /**
   * What a person is typing slowly (for live lookup); empty during a scanner burst. The input itself
   * is uncontrolled, so a scanner's keystrokes re-render nothing before Enter.
   */
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState<ScanResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [suggestions, setSuggestions] = useState<TicketDetail[]>([]);
  const isSoundOn = settings?.sounds ?? true;
  const [isCameraOn, setIsCameraOn] = useCameraSetting();

  const show = (next: ScanResult) =>
    setResult((previous) => (previous?.scanId === next.scanId ? previous : next));

  // Decisions made elsewhere on this gate (a serial scanner) show here too, and a decision already
  // on screen turns amber when the engine reports afterwards that the turnstile did not open.
  useEffect(
    () =>
      client.onEvent((event) => {
        if (event.type !== 'decision') return;
        markAnswered();
        const next = event.decision;
        setResult((previous) => {
          if (previous?.scanId !== next.scanId) return next;
          return next.attention && !previous.attention ? next : previous;
        });
      }),
    [client],
  );

  // Every new verdict on screen (ours, another input's, or an upgrade to attention) gets its sound.
  const verdict = result ? `${result.scanId}:${verdictOf(result)}` : null;
  useEffect(() => {
    if (result && isSoundOn) playTone(verdictOf(result));
  }, [verdict]); // keyed on the verdict, so a re-render never replays a sound

  useEffect(() => {
    if (!result) return;
    const timer = setTimeout(() => setResult(null), RESULT_MS);
    return () => clearTimeout(timer);
  }, [result]);

  // Paint measurements (bench/ui.ts), taken from the commit that put the result in the page: the
  // frame callback then runs just before that frame is painted, and the timeout just after. (From a
  // passive effect, which may run after the paint, a whole extra frame could be counted.)
  useLayoutEffect(() => {
    if (!result || submittedAt.current === null) return;
    const start = submittedAt.current;
    const answered = answeredAt.current;
    submittedAt.current = null;
    requestAnimationFrame(() =>
      setTimeout(() => {
        const end = performance.now();
        performance.measure('scan-to-paint', { start, end });
        // The pushed decision event can paint the result before the HTTP answer arrives.
        if (answered >= start) performance.measure('answer-to-paint', { start: answered, end });
      }),
    );
  }, [result]);

  useEffect(() => {
    if (typed === '') return setSuggestions((previous) => (previous.length ? [] : previous));
    const timer = setTimeout(async () => {
      const answer = await client.api.lookup({ query: typed });
      if (answer.ok && buffer.current.text === typed) setSuggestions(answer.value.results.slice(0, 5));
    }, LOOKUP_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed, client]);

  const keepFocus = () => requestAnimationFrame(() => input.current?.focus());

  const submit = async (at: number) => {
    const exact =
      suggestions.find((ticket) => ticket.barcode === buffer.current.text.trim())?.barcode ?? null;
    const submission = classifySubmit(buffer.current, exact);
    buffer.current = EMPTY_BUFFER;
    if (input.current) input.current.value = '';
    setTyped('');
    setSuggestions((previous) => (previous.length ? [] : previous));
    if (submission.kind === 'lookup') {
      // A barcode typed by hand (or a scanner slowed by a busy PC) that finds no ticket, or exactly
      // one ticket's barcode, is scanned: staff get ADMIT or DENY, not an empty lookup.
      if (looksLikeBarcode(submission.query)) {
        const found = await client.api.lookup({ query: submission.query });
        const results = found.ok ? found.value.results : [];
        if (results.length === 0 || results.some((ticket) => ticket.barcode === submission.query)) {
          return scanBarcode(submission.query, at);
        }
      }
      return onLookup(submission.query);
    }
    if (submission.kind === 'scan') await scanBarcode(submission.barcode, at);
  };

  /** Keyboard, scanner and camera scans all go through here: the same API call, the same screen. */
  const scanBarcode = async (barcode: string, at: number) => {
    submittedAt.current = at;
    const answer = await client.api.scan({ barcode });
    markAnswered();
    if (answer.ok) {
      setError(null);
      show(answer.value);
      // Counters follow from the decision event (gate-context); one stats call per scan is enough.
    } else {
      submittedAt.current = null;
      setResult(null);
      setError(errorSentence(answer.error.message));
      if (isSoundOn) playTone('deny');
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'F7') {
      event.preventDefault();
      return setIsCameraOn(!isCameraOn);
    }
    if (event.key !== 'Enter' && event.key !== 'Tab') return;
    event.preventDefault();
    void submit(event.timeStamp);
  };

  return (
    <div className="scan-screen">
      <label className="scan-label" htmlFor="scan-input">
        Scan a ticket <span className="hint">(or type a name to look it up)</span>
      </label>
      <input
        id="scan-input"
        ref={input}
        className="scan-input"
        data-testid="scan-input"
        autoFocus
        autoComplete="off"
        spellCheck={false}
        onBlur={keepFocus}
        onKeyDown={onKeyDown}
        onChange={(event) => {
          buffer.current = syncBuffer(buffer.current, event.target.value, performance.now());
          setTyped(shouldLookUpWhileTyping(buffer.current) ? event.target.value : '');
        }}
      />
      {error ? (
        <div className="scan-error" role="alert" data-testid="scan-error">
          ✖ {error}
        </div>
      ) : null}
      {suggestions.length ? (
        <ul className="suggestions" data-testid="suggestions" aria-label="Matching tickets">
          {suggestions.map((ticket) => (
            <li key={ticket.barcode}>
              <strong>{ticket.holderName ?? 'No name'}</strong> · {ticket.ticketType ?? 'Ticket'} ·{' '}
              {shortBarcode(ticket.barcode)}
            </li>
          ))}
          <li className="hint">Press Enter to open Lookup</li>
        </ul>
      ) : null}
      {result ? (
        <ResultPanel result={result} />
      ) : (
        <>
          <IdlePanel />
          <EventWindowWarning />
        </>
      )}
      <div className="scan-footer">
        <Counters />
        <div className="camera">
          <button
            type="button"
            tabIndex={-1}
            onClick={() => setIsCameraOn(!isCameraOn)}
            aria-pressed={isCameraOn}
          >
            Camera {isCameraOn ? 'on' : 'off'} <kbd>F7</kbd>
          </button>
          {isCameraOn ? (
            <CameraScanner isEnabled onScan={(barcode) => void scanBarcode(barcode, performance.now())} />
          ) : null}
        </div>
      </div>
    </div>
  );
}

const CAMERA_KEY = 'gatehouse.camera';

/** The camera scanner is a per-device choice (this PC has a camera or not): kept in localStorage, off by default. */
function useCameraSetting(): [boolean, (isOn: boolean) => void] {
  const [isOn, setIsOn] = useState(() => localStorage.getItem(CAMERA_KEY) === 'on');
  return [
    isOn,
    (next) => {
      localStorage.setItem(CAMERA_KEY, next ? 'on' : 'off');
      setIsOn(next);
    },
  ];
}
