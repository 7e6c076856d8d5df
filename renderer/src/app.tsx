/**
 * The app frame: navigation (F1–F4 or Alt+1–4 from anywhere, Escape back to Scan), the connection
 * badge on every screen, the offline banner, and first run when the gate has no relay yet.
 */
import { useEffect, useState } from 'react';
import { ActivityScreen } from './activity/activity-screen.js';
import { FirstRun } from './first-run/first-run.js';
import { useGate } from './gate-context.js';
import { LookupScreen } from './lookup/lookup-screen.js';
import { ScanScreen } from './scan/scan-screen.js';
import { SettingsScreen } from './settings/settings-screen.js';
import { AccessPin } from './status/access-pin.js';
import {
  ConnectionBadge,
  GateUnreachableBanner,
  OfflineBanner,
  SnapshotProgress,
} from './status/connection-badge.js';
import { DeviceBadge, DeviceBanner } from './status/device-status.js';
import { RelayNotices } from './status/relay-notices.js';
import { TokenBanner } from './status/token-banner.js';

export type Screen = 'scan' | 'lookup' | 'activity' | 'settings';

const SCREENS: { id: Screen; label: string; key: string }[] = [
  { id: 'scan', label: 'Scan', key: 'F1' },
  { id: 'lookup', label: 'Lookup', key: 'F2' },
  { id: 'activity', label: 'Activity', key: 'F3' },
  { id: 'settings', label: 'Settings', key: 'F4' },
];

export function screenForKey(key: string, isAlt: boolean): Screen | null {
  if (key === 'Escape') return 'scan';
  const index = SCREENS.findIndex(
    (screen) => screen.key === key || (isAlt && key === String(SCREENS.indexOf(screen) + 1)),
  );
  return SCREENS[index]?.id ?? null;
}

export function App() {
  const { settings, status, isLocked } = useGate();
  const [screen, setScreen] = useState<Screen>('scan');
  const [lookupQuery, setLookupQuery] = useState('');
  const [isFirstRunDone, setIsFirstRunDone] = useState(false);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const next = screenForKey(event.key, event.altKey);
      if (!next) return;
      event.preventDefault();
      if (next !== 'lookup') setLookupQuery('');
      setScreen(next);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const needsFirstRun = settings !== null && settings.relayUrl === null && !settings.hasToken;
  // Once open, first run stays until it is done: its second step (events) follows saving the relay.
  const [isFirstRunOpen, setIsFirstRunOpen] = useState(false);
  useEffect(() => {
    if (needsFirstRun) setIsFirstRunOpen(true);
  }, [needsFirstRun]);
  const isFirstRun = !isFirstRunDone && (needsFirstRun || isFirstRunOpen);
  return (
    <div className="app" data-screen={screen}>
      <header className="topbar">
        <nav aria-label="Screens">
          {SCREENS.map((item) => (
            <button
              key={item.id}
              type="button"
              tabIndex={-1}
              className={screen === item.id ? 'nav-current' : ''}
              aria-current={screen === item.id ? 'page' : undefined}
              onClick={() => setScreen(item.id)}
            >
              {item.label} <kbd>{item.key}</kbd>
            </button>
          ))}
        </nav>
        <span className="gate-name" data-testid="gate-name">
          {settings?.gateName ?? status?.gate ?? ''}
        </span>
        <DeviceBadge />
        <ConnectionBadge />
      </header>
      <GateUnreachableBanner />
      <OfflineBanner />
      <RelayNotices />
      <TokenBanner />
      <DeviceBanner />
      <SnapshotProgress />
      <main>
        {isLocked ? (
          <AccessPin />
        ) : settings === null ? (
          // Until the settings arrive it is unknown whether this is a first run: show neither screen.
          <p className="screen">Connecting to the gate…</p>
        ) : isFirstRun ? (
          <FirstRun onDone={() => setIsFirstRunDone(true)} />
        ) : screen === 'scan' ? (
          <ScanScreen
            onLookup={(query) => {
              setLookupQuery(query);
              setScreen('lookup');
            }}
          />
        ) : screen === 'lookup' ? (
          <LookupScreen initialQuery={lookupQuery} />
        ) : screen === 'activity' ? (
          <ActivityScreen />
        ) : (
          <SettingsScreen />
        )}
      </main>
    </div>
  );
}
