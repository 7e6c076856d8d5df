/**
 * Same origin only. A web page open in any browser on the gate PC can send requests to loopback, and
 * with DNS rebinding a hostile name can even point at it. So the server answers only requests whose
 * Host is one of its own names (the address the connection arrived on, the listen address,
 * `localhost`, or a name given with --public-host), and whose Origin, when a browser sends one, is
 * that same host.
 */
import { isIP } from 'node:net';

/** `::ffff:127.0.0.1` → `127.0.0.1`; brackets and case removed. */
export function normaliseAddress(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  return bare.startsWith('::ffff:') && isIP(bare.slice(7)) === 4 ? bare.slice(7) : bare;
}

/** The host name of a Host header value (`name:port`, `[v6]:port`), lower-cased; null if malformed. */
export function hostName(header: string): string | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/]+)(?::(\d{1,5}))?$/.exec(header.trim());
  return match?.[1] ? normaliseAddress(match[1]) : null;
}

export interface HostPolicy {
  /** The host given to --listen (an address, or a name). */
  listenHost: string;
  /** Names from --public-host. */
  publicHosts: readonly string[];
}

/** Whether `header` (the request's Host) names this gate; `localAddress` is where the socket landed. */
export function isOwnHost(
  policy: HostPolicy,
  header: string | undefined,
  localAddress: string | undefined,
): boolean {
  if (header === undefined) return false;
  const name = hostName(header);
  if (name === null) return false;
  if (name === 'localhost') return true;
  if (name === normaliseAddress(policy.listenHost)) return true;
  if (localAddress !== undefined && name === normaliseAddress(localAddress)) return true;
  return policy.publicHosts.some((publicHost) => publicHost.toLowerCase() === name);
}

/**
 * A missing Origin is a client that is not a browser page (curl, the test suite): allowed, the Host
 * check still applies. A present one must be this very host, over http or https (behind a proxy).
 */
export function isOwnOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (hostHeader === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return parsed.host.toLowerCase() === hostHeader.trim().toLowerCase();
}
