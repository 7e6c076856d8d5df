/**
 * Tries a relay URL and gate token before they are saved: opens a short-lived websocket to the
 * relay's `/gate` with the token, says hello for no events, and reads the welcome (the gate name the
 * relay knows the token by and every event it knows). Nothing is stored; the socket is closed as
 * soon as the answer is known. Technical detail goes to the log; `problem` is for a person.
 */
import WebSocket from 'ws';
import type { RelayTest } from '../../shared/gate-api.js';
import { createLogger } from '../../shared/logger.js';
import { CLOSE_CODES, PROTOCOL_VERSION, parseRelayFrame } from '../../shared/protocol.js';
import { gateSocketUrl } from './sync/backoff.js';

const log = createLogger('gate.relay-test');
export const RELAY_TEST_TIMEOUT_MS = 8_000;

const unreachable = (relayUrl: string): RelayTest => ({
  isReachable: false,
  isTokenAccepted: false,
  gate: null,
  events: [],
  problem: `Cannot reach a relay at ${relayUrl} — check the address, and that the relay is running and reachable from this PC`,
});

const refused = (problem: string): RelayTest => ({
  isReachable: true,
  isTokenAccepted: false,
  gate: null,
  events: [],
  problem,
});

const TOKEN_REFUSED = 'The relay refused this gate token — check it, or ask for a new one';

function closeProblem(code: number): string {
  switch (code) {
    case CLOSE_CODES.badToken:
      return TOKEN_REFUSED;
    case CLOSE_CODES.revoked:
      return 'This gate token was revoked — ask for a new one';
    case CLOSE_CODES.protocolMismatch:
      return 'The relay runs another version of Gatehouse — update this gate or the relay';
    default:
      return `The relay closed the connection before answering (code ${code})`;
  }
}

export function testRelay(
  relayUrl: string,
  token: string,
  timeoutMs = RELAY_TEST_TIMEOUT_MS,
): Promise<RelayTest> {
  return new Promise((resolve) => {
    let isDone = false;
    let socket: WebSocket;
    const finish = (result: RelayTest, detail?: string) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      if (detail) log.info('relay test', { relayUrl, detail });
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish(unreachable(relayUrl), `no answer within ${timeoutMs} ms`),
      timeoutMs,
    );
    try {
      socket = new WebSocket(gateSocketUrl(relayUrl), {
        headers: { Authorization: `Bearer ${token}` },
        handshakeTimeout: timeoutMs,
      });
    } catch (error) {
      clearTimeout(timer);
      log.info('relay test', { relayUrl, detail: (error as Error).message });
      resolve(unreachable(relayUrl));
      return;
    }
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, cursor: 0, events: [] })),
    );
    socket.on('message', (data) => {
      const parsed = parseRelayFrame(String(data));
      if (!parsed.ok)
        return finish(refused('That address answered, but not like a Gatehouse relay'), parsed.error);
      if (parsed.frame.type !== 'welcome') return;
      finish({
        isReachable: true,
        isTokenAccepted: true,
        gate: parsed.frame.gate,
        events: parsed.frame.events,
        problem: null,
      });
    });
    socket.on('unexpected-response', (_request, response) => {
      const code = response.statusCode ?? 0;
      if (code === 401 || code === 403) return finish(refused(TOKEN_REFUSED), `HTTP ${code}`);
      finish(refused(`That address answered, but not like a Gatehouse relay (HTTP ${code})`), `HTTP ${code}`);
    });
    socket.on('close', (code) => finish(refused(closeProblem(code)), `closed ${code}`));
    socket.on('error', (error) => finish(unreachable(relayUrl), error.message));
  });
}
