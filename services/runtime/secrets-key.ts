// The key that seals channel secrets: from config, or for the embedded mode a key kept beside the data.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeKey } from '../../config/env';

export function resolveSecretsKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) {
    const key = decodeKey(configured);
    if (!key) throw new Error('SECRETS_KEY is not a 32-byte key');
    return key;
  }
  const file = path.resolve(dataDir, 'secrets.key');
  if (fs.existsSync(file)) {
    const key = decodeKey(fs.readFileSync(file, 'utf8').trim());
    if (!key) throw new Error(`${file} does not hold a 32-byte key`);
    return key;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
  return key;
}
