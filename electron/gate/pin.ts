/**
 * Staff PIN hashing: scrypt with a random salt, compared in constant time. A PIN proven correct once
 * is remembered only as an HMAC under a per-process random key, so that a headless API that checks
 * the PIN on every request does not pay for scrypt each time (a wrong PIN still does).
 */
import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;
const COST = { N: 16_384, r: 8, p: 1 };

export function hashPin(pin: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, KEY_LENGTH, COST);
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

export function verifyPinHash(pin: string, stored: string): boolean {
  const [scheme, saltHex, hashHex] = stored.split('$');
  if (scheme !== 'scrypt' || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const actual = scryptSync(pin, Buffer.from(saltHex, 'hex'), expected.length, COST);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export class PinChecker {
  private readonly key = randomBytes(32);
  private proven: { stored: string; mac: Buffer } | null = null;

  private mac(pin: string): Buffer {
    return createHmac('sha256', this.key).update(pin).digest();
  }

  /** True when `pin` matches the stored hash. */
  check(pin: string, stored: string): boolean {
    const candidate = this.mac(pin);
    if (this.proven?.stored === stored && timingSafeEqual(candidate, this.proven.mac)) return true;
    if (!verifyPinHash(pin, stored)) return false;
    this.proven = { stored, mac: candidate };
    return true;
  }
}
