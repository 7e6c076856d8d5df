/**
 * The staff PIN, once entered on this screen (to unlock Settings, or for a staff action), is not
 * asked again for the gate's unlock period (`pinUnlockMinutes`, default 5). It lives in this page's
 * memory only — never in storage — and is forgotten when the period ends or the gate refuses it.
 */
import { createContext, useCallback, useContext, useMemo, useRef, type ReactNode } from 'react';
import { useGate } from './gate-context.js';

export interface StaffPin {
  /** The PIN entered within the unlock period, if any. */
  current(): string | undefined;
  remember(pin: string): void;
  forget(): void;
}

const StaffPinContext = createContext<StaffPin | null>(null);

export function StaffPinProvider({ children }: { children: ReactNode }) {
  const { settings } = useGate();
  const minutes = settings?.pinUnlockMinutes ?? 5;
  const entered = useRef<{ pin: string; at: number } | null>(null);
  const current = useCallback(() => {
    const last = entered.current;
    if (!last || minutes === 0 || performance.now() - last.at > minutes * 60_000) return undefined;
    return last.pin;
  }, [minutes]);
  const value = useMemo<StaffPin>(
    () => ({
      current,
      remember: (pin) => {
        entered.current = { pin, at: performance.now() };
      },
      forget: () => {
        entered.current = null;
      },
    }),
    [current],
  );
  return <StaffPinContext.Provider value={value}>{children}</StaffPinContext.Provider>;
}

export function useStaffPin(): StaffPin {
  const pin = useContext(StaffPinContext);
  if (!pin) throw new Error('useStaffPin outside StaffPinProvider');
  return pin;
}

/**
 * For a staff action: the PIN to send (the remembered one, else what was typed), whether to show a
 * PIN field, and what to do with the answer (remember a PIN that worked, forget one refused).
 */
export function usePinForAction() {
  const { settings } = useGate();
  const staff = useStaffPin();
  const hasPin = settings?.hasPin ?? false;
  return {
    isPinNeeded: hasPin && staff.current() === undefined,
    pinFor: (typed: string): string | undefined => (hasPin ? (staff.current() ?? typed) : undefined),
    settle: (pin: string | undefined, isRefused: boolean) => {
      if (!hasPin || pin === undefined) return;
      if (isRefused) staff.forget();
      else staff.remember(pin);
    },
  };
}
