// What other hosts announce as `_gatehouse._tcp` is untrusted: foundRelays keeps only well-formed
// services, builds each URL from the IPv4 address it answered from (else another usable address),
// one entry per URL, venue relays first. The services are shaped as bonjour-service's browser builds
// them. The real mDNS path (announce in one network namespace, find from another) is in
// test/venue/advertise.test.ts.
import { networkInterfaces } from 'node:os';
import { Bonjour } from 'bonjour-service';
import { describe, expect, it } from 'vitest';
import { foundRelays, RelayFinder } from '../../electron/gate/relay-finder.js';
import { waitFor } from '../relay/support.js';

function service(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Corner Hotel venue relay',
    host: 'venue-box',
    port: 8080,
    type: 'gatehouse',
    protocol: 'tcp',
    addresses: ['fd00::1', '10.77.0.1', '172.17.0.1', 'fe80::1'],
    referer: { address: '10.77.0.1', family: 'IPv4', port: 5353, size: 300 },
    txt: { protocol: '2', role: 'venue' },
    ...changes,
  };
}

describe('foundRelays', () => {
  it('takes the IPv4 address the relay answered from, its port, name, role and protocol', () => {
    expect(foundRelays([service()])).toEqual([
      { name: 'Corner Hotel venue relay', url: 'http://10.77.0.1:8080', role: 'venue', protocol: 2 },
    ]);
    // Answered over IPv6: the first IPv4 address it announces.
    const overIpv6 = service({ referer: { address: 'fd00::1' } });
    expect(foundRelays([overIpv6])[0]?.url).toBe('http://10.77.0.1:8080');
  });

  it('without IPv4 uses a routable IPv6 address, else a dotted host name; never a link-local address', () => {
    expect(foundRelays([service({ addresses: ['fe80::1', 'fd00::1'] })])[0]?.url).toBe(
      'http://[fd00::1]:8080',
    );
    expect(foundRelays([service({ addresses: ['fe80::1'], host: 'venue-box.local' })])[0]?.url).toBe(
      'http://venue-box.local:8080',
    );
    expect(foundRelays([service({ addresses: ['fe80::1'], host: 'venue-box' })])).toEqual([]);
  });

  it('ignores malformed announcements and keeps the rest', () => {
    const malformed = [
      null,
      'relay',
      service({ txt: { protocol: '2', role: 'boss' } }),
      service({ txt: { protocol: 'two', role: 'venue' } }),
      service({ txt: { role: 'venue' } }),
      service({ txt: undefined }),
      service({ port: 0 }),
      service({ port: 70_000 }),
      service({ port: '8080' }),
      service({ name: '' }),
      service({ name: 'Evil\u001b[2J relay' }),
      service({ name: 'x'.repeat(101) }),
      service({ addresses: ['not an address', 42] as unknown[], host: 'bad host!' }),
      service({ addresses: 'http://10.0.0.1' }),
    ];
    const good = service({ name: 'Good relay', port: 9000, txt: { protocol: '2', role: 'relay' } });
    expect(foundRelays([...malformed, good])).toEqual([
      { name: 'Good relay', url: 'http://10.77.0.1:9000', role: 'relay', protocol: 2 },
    ]);
  });

  it('lists venue relays first, then by name, each URL once', () => {
    const found = foundRelays([
      service({ name: 'Internet relay', port: 1, txt: { protocol: '2', role: 'relay' } }),
      service({ name: 'Back bar', port: 2 }),
      service({ name: 'Back bar again', port: 2 }),
      service({ name: 'Another relay', port: 3, txt: { protocol: '2', role: 'relay' } }),
    ]);
    expect(found.map((relay) => [relay.name, relay.role])).toEqual([
      ['Back bar', 'venue'],
      ['Another relay', 'relay'],
      ['Internet relay', 'relay'],
    ]);
  });
});

const hasLan = Object.values(networkInterfaces())
  .flat()
  .some((address) => address && !address.internal && address.family === 'IPv4');

describe('RelayFinder', () => {
  it('finds a relay announced on this host; one that vanishes without a goodbye drops off at the next fresh look', async (context) => {
    if (!hasLan) {
      console.log('skipped: no non-loopback IPv4 interface to multicast on');
      context.skip('no LAN interface');
    }
    let clock = 0;
    const finder = new RelayFinder({ now: () => clock, requeryMs: 5_000, settleMs: 2_000 });
    const announcer = new Bonjour({}, () => {});
    const name = `Finder test relay ${process.pid}`;
    const ours = () => finder.list().filter((relay) => relay.name === name);
    try {
      announcer.publish({ name, type: 'gatehouse', port: 4242, txt: { protocol: '2', role: 'relay' } });
      const found = await waitFor(() => ours()[0], { message: 'the announced relay', timeoutMs: 15_000 });
      expect(found).toMatchObject({
        role: 'relay',
        protocol: 2,
        url: expect.stringMatching(/^http:\/\/[\d.]+:4242$/),
      });
      // Gone without saying goodbye (a crash, a pulled cable): no one answers the next look.
      await new Promise<void>((resolve) => announcer.destroy(() => resolve()));
      clock += 5_000;
      expect(ours()).toHaveLength(1);
      clock += 2_000;
      expect(ours()).toEqual([]);
    } finally {
      await finder.stop();
      await new Promise<void>((resolve) => announcer.destroy(() => resolve()));
    }
  }, 20_000);

  it('stopped, lists nothing and opens no socket', async () => {
    const finder = new RelayFinder();
    await finder.stop();
    expect(finder.list()).toEqual([]);
  });
});
