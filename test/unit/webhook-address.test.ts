import { classifyHost, isPrivateAddress } from '../../services/channels/webhook-address';
import { PublishError } from '../../workers/platforms/publisher';
import { WebhookPublisher } from '../../workers/platforms/webhook.publisher';

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
    const publisher = new WebhookPublisher(1000, false);
    const attempt = publisher.publish({
      targetId: 't',
      attempt: 1,
      photos: [],
      post: {
        id: 'p',
        title: 'x',
        text: 'x',
        scheduledAt: new Date(),
        unit: { id: 'u', slug: 'u', name: 'U', timeZone: 'Asia/Jakarta' },
        pageUrl: 'http://localhost/u/u/p/p',
      },
      channel: { id: 'c', kind: 'webhook', settings: { url: 'http://169.254.169.254/latest/meta-data' }, secret: 'a-secret-of-16-chars' },
    });
    await expect(attempt).rejects.toBeInstanceOf(PublishError);
    await expect(attempt).rejects.toMatchObject({ kind: 'rejected' });
  });
});
