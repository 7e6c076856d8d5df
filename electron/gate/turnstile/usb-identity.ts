/**
 * Reopening "by USB id": a relay board or scanner that comes back under another name (ttyUSB0 →
 * ttyUSB1, COM3 → COM5) is found again by its serial number, or by vendor and product id when it is
 * the only such device. Stable names (`/dev/serial/by-id/…`) avoid the question and are preferred.
 */
import { realpathSync } from 'node:fs';
import { SerialPort } from 'serialport';

export interface UsbIdentity {
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

type PortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number];

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The USB identity of the device at `path`, when the system lists it with one. */
export async function identify(path: string): Promise<UsbIdentity | null> {
  const wanted = canonical(path);
  const ports = await SerialPort.list();
  const port = ports.find((candidate) => candidate.path === path || canonical(candidate.path) === wanted);
  if (!port || (!port.serialNumber && !port.vendorId)) return null;
  return { serialNumber: port.serialNumber, vendorId: port.vendorId, productId: port.productId };
}

/** Where the same device is now: same serial number, else the one device with the same vendor/product. */
export function findSameDevice(identity: UsbIdentity, ports: readonly PortInfo[]): string | null {
  if (identity.serialNumber) {
    return ports.find((port) => port.serialNumber === identity.serialNumber)?.path ?? null;
  }
  const same = ports.filter(
    (port) => port.vendorId === identity.vendorId && port.productId === identity.productId,
  );
  return same.length === 1 ? (same[0]?.path ?? null) : null;
}

export async function locate(identity: UsbIdentity): Promise<string | null> {
  return findSameDevice(identity, await SerialPort.list());
}
