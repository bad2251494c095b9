import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Authenticator secrets must be readable again to check a code, so they cannot be hashed like passwords: they are
 * encrypted with AES-256-GCM under a key that is not in the database, so a copy of the database (a backup, a dump)
 * does not give away anyone's second factor. Each secret is bound to its user as associated data, so a ciphertext
 * copied onto another account does not decrypt.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The encryption key must be 32 bytes');
  }

  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(boundTo));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plaintext, or null when the sealed text was not made by this key for this owner. */
  open(sealed: string, boundTo: string): string | null {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}

const KEY_FILE = 'totp-encryption.key';

/**
 * The embedded database's key, kept beside it in its folder (readable by its owner only) and made on first use, so
 * that the demo needs no setting. A PostgreSQL deployment gives its key in TOTP_ENCRYPTION_KEY instead, shared by
 * every app process and kept out of the database's backups.
 */
export function embeddedKey(dataDir: string): Buffer {
  const file = join(dataDir, KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
