/** The gate client and its live state (status, stats, settings), shared by every screen. */
import {
  createContext,
  startTransition,
  useCallback,
  useContext,
  useEffect,
  useState,
  type ReactNode,
} from 'react';
import type { GateStats, GateStatus, SettingsView } from '../../shared/gate-api.js';
import type { GateClient, LinkState } from './api/types.js';

export interface GateState {
  client: GateClient;
  status: GateStatus | null;
  stats: GateStats | null;
  settings: SettingsView | null;
  link: LinkState;
  /** Why the gate did not answer, while `link` is `reconnecting` (e.g. "the gate engine is restarting …"). */
  linkProblem: string | null;
  /** The gate refuses this screen until the staff PIN is given (headless beyond loopback). */
  isLocked: boolean;
  refreshSettings(): Promise<void>;
  refreshStats(): Promise<void>;
}

const GateContext = createContext<GateState | null>(null);

/** Polling backs up the pushed events so the badge is right within a second even if a push is lost. */
const STATUS_POLL_MS = 1000;
const STATS_POLL_MS = 3000;
const STATS_AFTER_DECISION_MS = 250;

/** The previous value when nothing changed, so screens do not re-render for nothing. */
function same<T>(previous: T | null, next: T): T {
  return previous !== null && JSON.stringify(previous) === JSON.stringify(next) ? previous : next;
}

export function GateProvider({ client, children }: { client: GateClient; children: ReactNode }) {
  const [status, setStatus] = useState<GateStatus | null>(null);
  const [stats, setStats] = useState<GateStats | null>(null);
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [link, setLink] = useState<LinkState>('connected');
  const [linkProblem, setLinkProblem] = useState<string | null>(null);
  const [isLocked, setIsLocked] = useState(false);

  const refreshSettings = useCallback(async () => {
    const answer = await client.api.getSettings({});
    if (answer.ok) setSettings((previous) => same(previous, answer.value));
  }, [client]);
  const refreshStats = useCallback(async () => {
    const answer = await client.api.stats({});
    if (answer.ok) startTransition(() => setStats((previous) => same(previous, answer.value)));
  }, [client]);
  // Background state (status, stats) renders as a transition: a scan result on screen comes first.
  const showStatus = useCallback(
    (next: GateStatus) => startTransition(() => setStatus((previous) => same(previous, next))),
    [],
  );

  useEffect(() => {
    let isLive = true;
    const pollStatus = async () => {
      const answer = await client.api.status({});
      if (!isLive) return;
      setIsLocked(!answer.ok && (answer.error.code === 'unauthorized' || answer.error.code === 'pin_locked'));
      if (answer.ok) {
        showStatus(answer.value);
        setLink('connected');
        setLinkProblem(null);
      } else if (answer.error.code === 'unavailable') {
        setLink('reconnecting');
        setLinkProblem(answer.error.message);
      }
    };
    void pollStatus();
    void refreshSettings();
    void refreshStats();
    const statusTimer = setInterval(pollStatus, STATUS_POLL_MS);
    // Settings changed elsewhere (another screen, the CLI) show here within a poll too.
    const statsTimer = setInterval(() => {
      void refreshStats();
      void refreshSettings();
    }, STATS_POLL_MS);
    // A burst of decisions asks for the counters once, after the results are on screen.
    let statsAfterDecision: ReturnType<typeof setTimeout> | undefined;
    const stopEvents = client.onEvent((event) => {
      if (event.type === 'status') showStatus(event.status);
      if (event.type === 'decision') {
        clearTimeout(statsAfterDecision);
        statsAfterDecision = setTimeout(() => void refreshStats(), STATS_AFTER_DECISION_MS);
      }
      if (event.type === 'turnstile')
        setStatus((previous) => (previous ? { ...previous, turnstile: event.turnstile } : previous));
    });
    const stopLink = client.onLink(setLink);
    return () => {
      isLive = false;
      clearInterval(statusTimer);
      clearInterval(statsTimer);
      clearTimeout(statsAfterDecision);
      stopEvents();
      stopLink();
    };
  }, [client, refreshSettings, refreshStats, showStatus]);

  return (
    <GateContext.Provider
      value={{ client, status, stats, settings, link, linkProblem, isLocked, refreshSettings, refreshStats }}
    >
      {children}
    </GateContext.Provider>
  );
}

export function useGate(): GateState {
  const state = useContext(GateContext);
  if (!state) throw new Error('useGate outside GateProvider');
  return state;
}
