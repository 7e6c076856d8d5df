/**
 * Staff PIN hashing: scrypt with a random salt, compared in constant time. scrypt runs on libuv's
 * thread pool (the async form), never on the event loop, so PIN checks cannot stall scans. A PIN
 * proven correct once is remembered only as an HMAC under a per-process random key, so that a
 * headless API that checks the PIN on every request does not pay for scrypt each time (a wrong PIN
 * still does; PinGuard limits how often).
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const COST: ScryptOptions = { N: 16_384, r: 8, p: 1 };

function derive(pin: string, salt: Buffer, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, length, COST, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(pin, salt, KEY_LENGTH);
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

export async function verifyPinHash(pin: string, stored: string): Promise<boolean> {
  const [scheme, saltHex, hashHex] = stored.split('$');
  if (scheme !== 'scrypt' || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  if (expected.length === 0) return false;
  const actual = await derive(pin, Buffer.from(saltHex, 'hex'), expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export class PinChecker {
  private readonly key = randomBytes(32);
  private proven: { stored: string; mac: Buffer } | null = null;
  /**
   * scrypt runs off the event loop but takes a whole core while it does: one at a time, so a burst of
   * guesses from many addresses never takes every core from the scans.
   */
  private hashing: Promise<unknown> = Promise.resolve();

  private mac(pin: string): Buffer {
    return createHmac('sha256', this.key).update(pin).digest();
  }

  /** True when `pin` matches the stored hash. */
  async check(pin: string, stored: string): Promise<boolean> {
    const candidate = this.mac(pin);
    if (this.proven?.stored === stored && timingSafeEqual(candidate, this.proven.mac)) return true;
    const verified = this.hashing.then(() => verifyPinHash(pin, stored));
    this.hashing = verified.catch(() => undefined);
    if (!(await verified)) return false;
    this.proven = { stored, mac: candidate };
    return true;
  }
}
