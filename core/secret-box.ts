import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Secrets that must travel through Temporal (a container's SSH password, its Jupyter token) go
 * sealed: AES-256-GCM under DERMAGA_SECRET_KEY, so workflow histories and job rows hold only
 * ciphertext, and only processes given the key (the API, the workers) can open them.
 */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

const VERSION = 'v1';

export function createSecretBox(keyHex: string | undefined): SecretBox {
  const key = keyHex ? Buffer.from(keyHex, 'hex') : null;
  const need = (): Buffer => {
    if (!key || key.length !== 32)
      throw new Error(
        'DERMAGA_SECRET_KEY is not set (64 hex characters): secrets cannot be sealed or opened',
      );
    return key;
  };
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', need(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [
        VERSION,
        iv.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    open(sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== VERSION || !iv || !body || !tag) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', need(), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}

/** A new key, for `npm start` to keep in .data/ and tests to make per run. */
export const newSecretKey = () => randomBytes(32).toString('hex');

/**
 * A product's token-signing key: the one configured for it, else one derived from
 * DERMAGA_SECRET_KEY under `label` (so `npm start` and the tests need nothing more, and no two
 * products share a key). Without either the product cannot sign and says so at start.
 */
export function signingKey(
  configured: string | undefined,
  secretKeyHex: string | undefined,
  label: string,
  what: string,
): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  if (secretKeyHex) return createHmac('sha256', Buffer.from(secretKeyHex, 'hex')).update(label).digest();
  throw new Error(`${what} or DERMAGA_SECRET_KEY is needed to sign tokens`);
}
