/**
 * The one HTTP call the network drivers make: a deadline on every request, credentials taken from
 * the URL's userinfo (`http://admin:pass@host`) and sent as Basic or Digest (RFC 7616, MD5 or
 * SHA-256, qop=auth) as the device asks. The last digest challenge is reused so that a pulse costs
 * one round trip, not two.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface HttpCall {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

interface Challenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: 'MD5' | 'SHA-256';
  qop?: string;
  count: number;
}

/** Splits `http://user:pass@host/path` into a fetchable URL and the credentials. */
export function splitCredentials(text: string): {
  url: string;
  username: string | null;
  password: string | null;
} {
  const url = new URL(text);
  const username = url.username ? decodeURIComponent(url.username) : null;
  const password = url.password ? decodeURIComponent(url.password) : null;
  url.username = '';
  url.password = '';
  return { url: url.toString(), username, password };
}

export function parseDigestChallenge(header: string): Omit<Challenge, 'count'> | null {
  if (!/^digest\s/i.test(header)) return null;
  const fields = new Map<string, string>();
  for (const match of header.slice(7).matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g)) {
    fields.set((match[1] ?? '').toLowerCase(), match[2] ?? match[3] ?? '');
  }
  const realm = fields.get('realm');
  const nonce = fields.get('nonce');
  if (realm === undefined || !nonce) return null;
  const algorithm = (fields.get('algorithm') ?? 'MD5').toUpperCase() === 'SHA-256' ? 'SHA-256' : 'MD5';
  const qop = fields
    .get('qop')
    ?.split(',')
    .map((value) => value.trim())
    .find((value) => value === 'auth');
  return { realm, nonce, opaque: fields.get('opaque'), algorithm, qop };
}

function digestHeader(
  challenge: Challenge,
  method: string,
  uri: string,
  username: string,
  password: string,
): string {
  const hash = (text: string) =>
    createHash(challenge.algorithm === 'SHA-256' ? 'sha256' : 'md5')
      .update(text)
      .digest('hex');
  const ha1 = hash(`${username}:${challenge.realm}:${password}`);
  const ha2 = hash(`${method}:${uri}`);
  const quote = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`;
  const parts = [
    `username=${quote(username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(uri)}`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (challenge.qop) {
    challenge.count += 1;
    const nc = challenge.count.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    parts.push(
      `qop=auth`,
      `nc=${nc}`,
      `cnonce=${quote(cnonce)}`,
      `response=${quote(hash(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`))}`,
    );
  } else {
    parts.push(`response=${quote(hash(`${ha1}:${challenge.nonce}:${ha2}`))}`);
  }
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

/** An HTTP client for one device; it remembers that device's digest challenge. */
export class DeviceHttp {
  private challenge: Challenge | null = null;
  /** Set once the device asked for Basic: later calls send it up front (Shelly Gen1). */
  private isBasic = false;

  async request(call: HttpCall): Promise<HttpAnswer> {
    const { url, username, password } = splitCredentials(call.url);
    const send = async (authorization: string | null) => {
      const headers = { ...call.headers, ...(authorization ? { authorization } : {}) };
      const response = await fetch(url, {
        method: call.method,
        headers,
        body: call.body,
        signal: AbortSignal.timeout(call.timeoutMs),
      });
      return { response, text: await response.text() };
    };
    if (username === null) {
      const { response, text } = await send(null);
      return { status: response.status, text };
    }
    const target = new URL(url);
    const uri = `${target.pathname}${target.search}`;
    const secret = password ?? '';
    const basic = `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
    const authorize = () => {
      if (this.isBasic) return basic;
      return this.challenge ? digestHeader(this.challenge, call.method, uri, username, secret) : null;
    };
    let { response, text } = await send(authorize());
    if (response.status === 401) {
      const offered = response.headers.get('www-authenticate') ?? '';
      const parsed = parseDigestChallenge(offered);
      if (parsed) {
        this.challenge = { ...parsed, count: 0 };
        ({ response, text } = await send(authorize()));
      } else if (/^basic/i.test(offered)) {
        this.isBasic = true;
        ({ response, text } = await send(basic));
      }
    }
    return { status: response.status, text };
  }
}

export function expectOk(answer: HttpAnswer, what: string, expected?: number): void {
  const isOk =
    expected === undefined ? answer.status >= 200 && answer.status < 300 : answer.status === expected;
  if (!isOk)
    throw new Error(
      `${what} answered HTTP ${answer.status}${answer.text ? `: ${answer.text.slice(0, 200)}` : ''}`,
    );
}
