/** Waiting on a gate engine's own events (never on a timer alone) for a condition to hold. */
import type { GateEngine } from '../electron/gate/index.js';

/**
 * Resolves once `condition` holds, checking now and after every event the gate emits (status
 * changes follow every applied batch); rejects after `deadlineMs`.
 */
export function waitForGate(
  gate: Pick<GateEngine, 'onEvent'>,
  deadlineMs: number,
  condition: () => Promise<boolean> | boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let isDone = false;
    let isChecking = false;
    let isDirty = false;
    const finish = (error?: Error) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      unsubscribe();
      if (error) reject(error);
      else resolve();
    };
    const check = async () => {
      if (isDone) return;
      if (isChecking) {
        isDirty = true;
        return;
      }
      isChecking = true;
      try {
        do {
          isDirty = false;
          if (await condition()) return finish();
        } while (isDirty);
      } catch (error) {
        finish(error as Error);
      } finally {
        isChecking = false;
      }
    };
    const timer = setTimeout(() => finish(new Error(`gate not ready within ${deadlineMs} ms`)), deadlineMs);
    const unsubscribe = gate.onEvent(() => void check());
    void check();
  });
}
