import { classifyHost, isPrivateAddress } from '../../services/channels/webhook-address';
import pino from 'pino';
import { PlatformError } from '../../services/publishing/platform';
import { webhookAdapter } from '../../services/publishing/platforms/webhook/webhook.adapter';

describe('webhook addresses', () => {
  test.each(['127.0.0.1', '10.1.2.3', '172.20.0.5', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1'])(
    '%s is internal',
    (address) => {
      expect(isPrivateAddress(address)).toBe(true);
    },
  );
  test.each(['8.8.8.8', '103.10.20.30', '2001:4860:4860::8888'])('%s is public', (address) => {
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
