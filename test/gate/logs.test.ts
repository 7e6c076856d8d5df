// Logs and crash handling with real files and real processes: the rotating log file
// (electron/gate/log-file.ts) behind shared/logger.ts, `gatehouse gate --log-file`, and a process
// that meets an uncaught exception or an unhandled rejection logs it and exits for its supervisor.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logFilesOf, openLogFile } from '../../electron/gate/log-file.js';
import { consoleLogSink, createLogger, setLogSink } from '../../shared/logger.js';
import { startGateProcess } from './support.js';
import { REPO_ROOT, makeTempDir, waitFor, type TempDir } from '../relay/support.js';

const temps: TempDir[] = [];
afterEach(() => {
  setLogSink(consoleLogSink);
  temps.splice(0).forEach((temp) => temp.remove());
});
function temp(): TempDir {
  const made = makeTempDir('gatehouse-logs-');
  temps.push(made);
  return made;
}
const read = (paths: string[]) => paths.map((path) => readFileSync(path, 'utf8')).join('');

describe('rotating log file (real files)', () => {
  it('rolls past the size limit, keeps only the newest files, whole lines, 0600 in a 0700 folder', async () => {
    const dir = temp();
    const file = dir.file('logs/engine.log');
    const logFile = await openLogFile(file, { maxBytes: 2_048, keep: 3 });
    setLogSink(logFile.sink);
    const log = createLogger('test.rotation');
    // Rotation happens between bursts (the file is swapped once pending writes drain).
    for (let burst = 0; burst < 12; burst += 1) {
      for (let line = 0; line < 10; line += 1)
        log.info(`burst ${burst} line ${line}`, { pad: 'x'.repeat(40) });
      await new Promise((resolve) => setImmediate(resolve));
    }
    log.info('the last line');
    await waitFor(() => read(logFilesOf(file)).includes('the last line'), { message: 'last line on disk' });
    await waitFor(() => logFilesOf(file).length <= 3, { message: 'old files removed' });
    const files = logFilesOf(file);
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files.at(-1)).toBe(logFile.current());
    const text = read(files);
    expect(text).not.toContain('burst 0 line 0 ');
    expect(text).toContain('the last line');
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^\S+Z INFO  test\.rotation: .+$/);
    for (const path of files) expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir.file('logs')).mode & 0o777).toBe(0o700);
    await logFile.close();

    // A restart continues the series (no file overwritten) and still keeps only the newest ones.
    const again = await openLogFile(file, { maxBytes: 2_048, keep: 3 });
    expect(Number(/\.(\d+)\.log$/.exec(again.current())?.[1])).toBeGreaterThanOrEqual(
      Number(/\.(\d+)\.log$/.exec(files.at(-1) ?? '')?.[1]),
    );
    again.sink('after restart');
    await again.close();
    expect(read(logFilesOf(file))).toContain('after restart');
  });

  it('gatehouse gate --log-file F: the log goes to F’s rotating series, not stderr', async () => {
    const dir = temp();
    const gate = await startGateProcess([
      '--data',
      dir.file('gate'),
      '--log-file',
      dir.file('logs/gate.log'),
      '--scanner',
      dir.file('no-such-scanner'),
    ]);
    try {
      await waitFor(() => read(logFilesOf(dir.file('logs/gate.log'))).includes('gate.scanner'), {
        message: 'scanner line in the log file',
      });
      expect(gate.output().stderr).not.toContain('gate.scanner');
    } finally {
      await gate.stop();
    }
  });
});

describe('uncaught errors in a gate process (real child processes, real log file)', () => {
  const crash = (how: string, logPath: string) =>
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
        const { openLogFile } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/electron/gate/log-file.js'))});
        const { installCrashHandlers } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/electron/gate/crash.js'))});
        const { setLogSink } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/shared/logger.js'))});
        const file = await openLogFile(${JSON.stringify(logPath)});
        setLogSink(file.sink);
        installCrashHandlers('headless gate');
        setInterval(() => {}, 1000); // a live process: only the handler can end it
        ${how}`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );

  it('an uncaught exception is logged with its stack, then the process exits 70 for its supervisor', () => {
    const dir = temp();
    const result = crash(
      `setTimeout(() => { throw new Error('boom in a timer'); }, 10);`,
      dir.file('logs/gate.log'),
    );
    expect(result.status).toBe(70);
    const text = read(logFilesOf(dir.file('logs/gate.log')));
    expect(text).toContain(
      'ERROR gate.crash: uncaught exception in the headless gate; exiting so that it is restarted',
    );
    expect(text).toContain('boom in a timer');
    expect(text).toMatch(/at Timeout/);
  });

  it('an unhandled rejection is logged, then the process exits 70', () => {
    const dir = temp();
    const result = crash(`Promise.reject(new Error('nobody awaited this'));`, dir.file('logs/gate.log'));
    expect(result.status).toBe(70);
    expect(read(logFilesOf(dir.file('logs/gate.log')))).toContain(
      'unhandled promise rejection in the headless gate; exiting so that it is restarted',
    );
  });
});
