import { randomBytes } from 'node:crypto';
import { secretBox } from '../../services/channels/secret-box';
import { checkPassword, configurePasswordCost, hashPassword, hashWork, legacyScryptHash } from '../../services/users/passwords';
import { hashToken } from '../../services/users/token.repository';
import { signWebhook, verifyWebhook } from '../../services/publishing/platforms/webhook/webhook-signature';

describe('secret box', () => {
  const box = secretBox(randomBytes(32));
  test('round-trips and never stores the plain text', () => {
    const sealed = box.seal('rahasia-webhook');
    expect(sealed).not.toContain('rahasia');
    expect(box.open(sealed)).toBe('rahasia-webhook');
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });
  test('a tampered or foreign secret does not open', () => {
    const sealed = box.seal('rahasia');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('lain').toString('base64');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => secretBox(randomBytes(32)).open(sealed)).toThrow();
  });
});

describe('webhook signature', () => {
  const body = '{"a":1}';
  const now = 1_800_000_000;
  test('a receiver verifies what we sign', () => {
    const sig = signWebhook('s3cret', now, body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhook('s3cret', { signature: sig, timestamp: String(now) }, body, now)).toBe(true);
  });
  test('another body, secret, or a replay long after fails', () => {
    const sig = signWebhook('s3cret', now, body);
    expect(verifyWebhook('s3cret', { signature: sig, timestamp: String(now) }, '{"a":2}', now)).toBe(false);
    expect(verifyWebhook('other', { signature: sig, timestamp: String(now) }, body, now)).toBe(false);
    expect(verifyWebhook('s3cret', { signature: sig, timestamp: String(now) }, body, now + 301)).toBe(false);
    expect(verifyWebhook('s3cret', { signature: undefined, timestamp: String(now) }, body, now)).toBe(false);
  });
});

describe('passwords and tokens', () => {
  test('argon2id hashes verify the right password only', async () => {
    const h = await hashPassword('kata-sandi-panjang');
    expect(h.startsWith('$argon2id$')).toBe(true);
    expect(await checkPassword('kata-sandi-panjang', h)).toEqual({ ok: true, upgrade: false });
    expect((await checkPassword('kata-sandi-salah', h)).ok).toBe(false);
  });
  test('an scrypt hash of an earlier CLI still verifies, and asks to be replaced', async () => {
    const h = await legacyScryptHash('kata-sandi-panjang');
    expect(await checkPassword('kata-sandi-panjang', h)).toEqual({ ok: true, upgrade: true });
    expect((await checkPassword('kata-sandi-salah', h)).ok).toBe(false);
  });
  test('a hash of another cost still verifies and asks to be replaced; an unknown e-mail costs the current cost', async () => {
    const before = await hashPassword('kata-sandi-panjang');
    const seen: string[] = [];
    configurePasswordCost({ memoryKib: 19_456, passes: 3, lanes: 1 });
    try {
      expect(await checkPassword('kata-sandi-panjang', before)).toEqual({ ok: true, upgrade: true });
      const after = await hashPassword('kata-sandi-panjang');
      expect(after).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=3\$/);
      expect(await checkPassword('kata-sandi-panjang', after)).toEqual({ ok: true, upgrade: false });
      hashWork.observe = (w) => seen.push(w);
      await checkPassword('kata-sandi-panjang', null);
      await checkPassword('kata-sandi-panjang', after);
    } finally {
      hashWork.observe = undefined;
      configurePasswordCost({ memoryKib: 19_456, passes: 2, lanes: 1 });
    }
    expect(seen).toEqual(['$argon2id$v=19$m=19456,p=1,t=3', '$argon2id$v=19$m=19456,p=1,t=3']);
  });
  test('tokens are stored as hashes', () => {
    expect(hashToken('siaran_abc')).toMatch(/^[0-9a-f]{64}$/);
  });
});
