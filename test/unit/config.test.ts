import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, Env, loadEnv, photosUnreachable } from '../../config/env';

describe('config', () => {
  test('embedded defaults need nothing set', () => {
    const env = loadEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.DATA_DIR).toBe('./data');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.SCHEDULE_MIN_LEAD_SECONDS).toBe(300);
  });
  test('every bad value is listed at once', () => {
    try {
      loadEnv({ PORT: 'eighty', REDIS_URL: 'http://x', PUBLISH_ATTEMPTS: '0', LOG_LEVEL: 'loud' });
      throw new Error('should not load');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const keys = (e as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(keys.sort()).toEqual(['LOG_LEVEL', 'PORT', 'PUBLISH_ATTEMPTS', 'REDIS_URL']);
    }
  });
  test('e-mail is off with no SMTP host, and an SMTP host needs a From address', () => {
    expect(loadEnv({}).SMTP_HOST).toBeUndefined();
    expect(() => loadEnv({ SMTP_HOST: 'smtp.polda.go.id' })).toThrow(/SMTP_FROM/);
    expect(() => loadEnv({ SMTP_HOST: 'smtp.polda.go.id', SMTP_FROM: 'siaran@polda.go.id', SMTP_USER: 'siaran' })).toThrow(/SMTP_PASSWORD/);
    expect(loadEnv({ SMTP_HOST: 'smtp.polda.go.id', SMTP_FROM: 'siaran@polda.go.id' }).SMTP_SECURE).toBe(false);
    expect(loadEnv({ SMTP_HOST: 'smtp.polda.go.id', SMTP_FROM: 'Siaran Humas <siaran@polda.go.id>' }).SMTP_FROM).toBe('Siaran Humas <siaran@polda.go.id>');
    expect(() => loadEnv({ SMTP_HOST: 'smtp.polda.go.id', SMTP_FROM: 'Humas Polda' })).toThrow(/SMTP_FROM: an e-mail address/);
  });
  test('PostgreSQL needs an explicit secrets key so every process agrees', () => {
    expect(() => loadEnv({ DATABASE_URL: 'postgres://u@h/db' })).toThrow(/SECRETS_KEY/);
    expect(() => loadEnv({ DATABASE_URL: 'postgres://u@h/db', SECRETS_KEY: 'short' })).toThrow(/32 bytes/);
    expect(loadEnv({ DATABASE_URL: 'postgres://u@h/db', SECRETS_KEY: 'ab'.repeat(32) }).DATABASE_URL).toBe('postgres://u@h/db');
  });
  test('an empty DATABASE_URL means embedded', () => {
    expect(loadEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });
  test('the embedded database cache stays within what its 2 GB memory can hold', () => {
    expect(loadEnv({ EMBEDDED_DB_BUFFERS_MB: '1024' }).EMBEDDED_DB_BUFFERS_MB).toBe(1024);
    expect(() => loadEnv({ EMBEDDED_DB_BUFFERS_MB: '2048' })).toThrow(/EMBEDDED_DB_BUFFERS_MB: at most 1024/);
  });
});

describe('photo links Meta must download', () => {
  const judge = (env: Record<string, string>) => photosUnreachable(loadEnv(env))?.en;
  test('a public HTTPS address passes; no address, plain HTTP, or a local or private one is explained', () => {
    expect(judge({ PUBLIC_BASE_URL: 'https://humas.lampung.polri.go.id' })).toBeUndefined();
    expect(judge({ PUBLIC_BASE_URL: 'https://203.0.113.9' })).toMatch(/local-network/);
    expect(judge({ PUBLIC_BASE_URL: 'https://8.8.8.8' })).toBeUndefined();
    expect(judge({})).toMatch(/PUBLIC_BASE_URL is not set/);
    expect(judge({ PUBLIC_BASE_URL: 'http://humas.lampung.polri.go.id' })).toMatch(/is not HTTPS/);
    expect(judge({ PUBLIC_BASE_URL: 'https://[2a03:2880:f10c:83:face:b00c:0:25de]' })).toBeUndefined();
    const locals = ['https://localhost:3000', 'https://10.1.2.3', 'https://192.168.1.5', 'https://[::1]', 'https://siaran.local', 'https://siaran', 'https://localhost.', 'https://intranet.', 'https://app.internal.'];
    // IPv4 written otherwise, and IPv6 forms that wrap a private IPv4 address.
    locals.push('https://0x7f.1', 'https://2130706433', 'https://10.1', 'https://[::ffff:127.0.0.1]', 'https://[::7f00:1]', 'https://[::ffff:0:a00:1]', 'https://[2002:7f00:1::]', 'https://[64:ff9b:1::a00:1]', 'https://[fec0::1]', 'https://[fd00::1]');
    for (const local of locals) {
      expect(judge({ PUBLIC_BASE_URL: local })).toMatch(/local-network address Meta cannot reach/);
    }
    expect(judge({ PUBLIC_BASE_URL: 'http://127.0.0.1:8080', META_ALLOW_PRIVATE_PHOTO_URLS: 'true' })).toBeUndefined();
  });
});

describe('.env.example', () => {
  test('documents every setting the process reads', () => {
    const text = fs.readFileSync(path.join(__dirname, '../../.env.example'), 'utf8');
    const missing = Object.keys(Env.shape).filter((k) => !new RegExp(`^# ${k}=`, 'm').test(text));
    expect(missing).toEqual([]);
  });
});
