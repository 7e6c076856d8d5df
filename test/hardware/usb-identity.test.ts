/**
 * Finding a replugged board under a new name. Pure selection over port listings: ptys carry no USB
 * identity, so the listing here is data shaped like `SerialPort.list()` on Linux and Windows.
 */
import { describe, expect, it } from 'vitest';
import { findSameDevice } from '../../electron/gate/turnstile/usb-identity.js';

const ch340 = { vendorId: '1a86', productId: '7523' };
const port = (path: string, extra: Record<string, string> = {}) => ({
  path,
  manufacturer: undefined,
  serialNumber: undefined,
  pnpId: undefined,
  locationId: undefined,
  vendorId: undefined,
  productId: undefined,
  ...extra,
});

describe('findSameDevice', () => {
  it('follows a serial number to its new path', () => {
    const ports = [
      port('/dev/ttyACM0', { serialNumber: 'OTHER' }),
      port('/dev/ttyACM3', { serialNumber: 'NUM123', vendorId: '2a19', productId: '0c05' }),
    ];
    expect(findSameDevice({ serialNumber: 'NUM123', vendorId: '2a19', productId: '0c05' }, ports)).toBe(
      '/dev/ttyACM3',
    );
    expect(findSameDevice({ serialNumber: 'GONE' }, ports)).toBeNull();
  });

  it('without a serial number (CH340), only a single device of that vendor/product is taken', () => {
    expect(findSameDevice(ch340, [port('COM5', ch340), port('COM1')])).toBe('COM5');
    // Two identical boards: guessing could open the wrong gate, so none is chosen.
    expect(findSameDevice(ch340, [port('/dev/ttyUSB1', ch340), port('/dev/ttyUSB2', ch340)])).toBeNull();
  });
});
