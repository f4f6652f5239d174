import { classifyHost, isPrivateAddress } from '../../services/channels/webhook-address';
import pino from 'pino';
import { PlatformError } from '../../services/publishing/platform';
import { webhookAdapter } from '../../services/publishing/platforms/webhook/webhook.adapter';

describe('webhook addresses', () => {
  // IANA's special-purpose registries, one address of each range; an IPv6 address carrying an IPv4 one is that IPv4.
  test.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.5', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local, cloud metadata'],
    ['168.63.129.16', 'Azure host endpoint (WireServer)'],
    ['100.64.0.1', 'shared address space'],
    ['0.0.0.0', 'this network'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['198.19.0.1', 'benchmarking'],
    ['224.0.0.251', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with a zone'],
    ['fec0::1', 'site-local (deprecated)'],
    ['ff02::1', 'multicast'],
    ['100::1', 'discard'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, in hexadecimal'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::a9fe:a9fe', 'IPv4-compatible metadata, in hexadecimal'],
    ['::ffff:0:10.0.0.1', 'SIIT IPv4-translated private'],
    ['64:ff9b::127.0.0.1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of metadata'],
    ['64:ff9b:1::8.8.8.8', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:a9fe:a9fe::', '6to4 of metadata'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    ['2001::1', 'Teredo'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo, hiding an IPv4'],
    ['2001:10::1', 'ORCHID'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['5f00::1', 'SRv6'],
    ['4000::1', 'unassigned'],
    ['not-an-address', 'not an address'],
  ])('%s is internal (%s)', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  test.each([
    ['8.8.8.8', 'public IPv4'],
    ['103.10.20.30', 'public IPv4'],
    ['192.0.3.1', 'just past TEST-NET-1'],
    ['172.32.0.1', 'just past 172.16.0.0/12'],
    ['2001:4860:4860::8888', 'global unicast'],
    ['2400:cb00::1', 'global unicast'],
    ['2001:200::1', 'global unicast just past 2001::/23'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public'],
    ['64:ff9b::8.8.8.8', 'NAT64 of a public IPv4'],
    ['2002:808:808::1', '6to4 of a public IPv4'],
  ])('%s is public (%s)', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
  test('literal hosts are judged without a lookup', async () => {
    expect(await classifyHost(new URL('http://[::1]:8080/hook'))).toBe('private');
    expect(await classifyHost(new URL('https://8.8.8.8/hook'))).toBe('public');
  });

  test('the publisher refuses an internal address before sending anything', async () => {
    const adapter = webhookAdapter({ allowPrivateNetworks: false, timeoutMs: 1000 });
    const checkpoints: unknown[] = [];
    const attempt = adapter.publish(
      {
        targetId: 't',
        attempt: 1,
        photos: [],
        links: [],
        post: {
          id: 'p',
          title: 'x',
          text: 'x',
          thread: false,
          scheduledAt: new Date(),
          unit: { id: 'u', slug: 'u', name: 'U', timeZone: 'Asia/Jakarta' },
          pageUrl: 'http://localhost/u/u/p/p',
        },
      },
      {
        channel: {
          id: 'c',
          kind: 'webhook',
          name: 'Webhook',
          settings: { url: 'http://169.254.169.254/latest/meta-data' },
          credentials: { current: () => ({ secret: 'a-secret-of-16-chars' }), renew: () => Promise.reject(new Error('not used')) },
        },
        claimedAt: new Date(),
        checkpoint: undefined,
        saveCheckpoint: (d) => {
          checkpoints.push(d);
          return Promise.resolve();
        },
        timeoutMs: 1000,
        log: pino({ level: 'silent' }),
      },
    );
    await expect(attempt).rejects.toBeInstanceOf(PlatformError);
    await expect(attempt).rejects.toMatchObject({ kind: 'rejected' });
    // Refused before the request could leave: no "sending" mark was ever saved.
    expect(checkpoints).toEqual([]);
  });
});
