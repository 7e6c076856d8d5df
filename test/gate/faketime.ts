/**
 * A wall clock a test can move under a running process: Debian's libfaketime, preloaded, reads its
 * offset from a file on every call (FAKETIME_NO_CACHE), so writing the file jumps the process's
 * `new Date()` while its monotonic clock (timers, performance.now) keeps real time.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import type { TempDir } from '../relay/support.js';

export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export interface FakeClock {
  /** Environment for the child process whose clock this is. */
  env: NodeJS.ProcessEnv;
  /** Sets the offset from real time: `+0`, `-1h`, `+10m`, `+1d` … */
  set(offset: string): void;
}

export function fakeClock(dir: TempDir, name: string, offset = '+0'): FakeClock {
  if (!existsSync(LIBFAKETIME)) {
    throw new Error(
      `${LIBFAKETIME} is missing: install Debian's faketime package (apt-get install faketime)`,
    );
  }
  const file = dir.file(`${name}.faketime`);
  // Written whole and renamed into place, so the process never reads a half-written offset.
  const set = (value: string) => {
    writeFileSync(`${file}.next`, `${value}\n`);
    renameSync(`${file}.next`, file);
  };
  set(offset);
  return {
    env: {
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME_TIMESTAMP_FILE: file,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
    set,
  };
}
