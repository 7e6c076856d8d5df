/** A serial barcode scanner on a real socat pty: lines in, scans out, and replugging. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import {
  LineSplitter,
  startSerialScanner,
  type SerialScanner,
} from '../../electron/gate/scanner/serial-scanner.js';
import { PtyPair, tempDir, waitFor } from './support.js';

async function openDevice(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return port;
}
const close = (port: SerialPort) =>
  new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));

describe('serial scanner over a pty', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PtyPair;
  let device: SerialPort;
  let scanner: SerialScanner | null = null;

  beforeEach(async () => {
    dir = tempDir('scanner');
    pair = new PtyPair(dir.path, 'scanner');
    await pair.plug();
    device = await openDevice(pair.emulator);
  });
  afterEach(async () => {
    await scanner?.stop();
    scanner = null;
    await close(device);
    await pair.unplug();
    dir.remove();
  });

  it('each CR/LF-terminated line is one scan, split anywhere in the stream', async () => {
    const scans: string[] = [];
    scanner = startSerialScanner(
      { path: pair.device, baud: 9600, terminator: 'any' },
      (barcode) => scans.push(barcode),
      { retryMinMs: 20, retryMaxMs: 100, watchMs: 50 },
    );
    await waitFor(() => scanner?.status().state === 'connected', 'scanner connected');
    device.write('TICKET-1\r\nTICK');
    device.write('ET-2\rTICKET-3\n\r\n');
    await waitFor(() => scans.length >= 3, 'three scans');
    expect(scans).toEqual(['TICKET-1', 'TICKET-2', 'TICKET-3']);
  });

  it('unplugged: disconnected; plugged back: scans flow again without a restart', async () => {
    const scans: string[] = [];
    scanner = startSerialScanner(
      { path: pair.device, baud: 9600, terminator: 'cr' },
      (barcode) => scans.push(barcode),
      { retryMinMs: 20, retryMaxMs: 100, watchMs: 50 },
    );
    await waitFor(() => scanner?.status().state === 'connected', 'scanner connected');
    device.write('BEFORE\r');
    await waitFor(() => scans.length === 1, 'first scan');
    device.write('HALF-A-LI');
    await close(device);
    await pair.unplug();
    await waitFor(() => scanner?.status().state === 'disconnected', 'disconnected');
    expect(scanner.status().message).toMatch(/scanner-device/);
    await pair.plug();
    device = await openDevice(pair.emulator);
    await waitFor(() => scanner?.status().state === 'connected', 'connected again');
    device.write('AFTER\r');
    await waitFor(() => scans.length === 2, 'scan after replug');
    expect(scans).toEqual(['BEFORE', 'AFTER']);
  });
});

describe('LineSplitter', () => {
  it('honours the terminator: with cr, an LF is not a scan boundary but is stripped', () => {
    const splitter = new LineSplitter('cr');
    expect(splitter.push(Buffer.from('A1\r\nB2\r'))).toEqual(['A1', 'B2']);
    const lf = new LineSplitter('lf');
    expect(lf.push(Buffer.from('A1\rB2\n'))).toEqual(['A1B2']);
  });

  it('a UTF-8 character split across chunks survives', () => {
    const splitter = new LineSplitter('any');
    const bytes = Buffer.from('CAFÉ-7\n');
    expect(splitter.push(bytes.subarray(0, 4))).toEqual([]);
    expect(splitter.push(bytes.subarray(4))).toEqual(['CAFÉ-7']);
  });
});
