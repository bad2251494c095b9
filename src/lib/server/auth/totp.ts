import { randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { RECOVERY_CODE_ALPHABET, RECOVERY_CODE_COUNT } from '../../domain/sign-in';

/** RFC 6238 as every authenticator app reads it by default: SHA-1, 30-second steps, 6 digits. */
const PERIOD_SECONDS = 30;
const ISSUER = 'Pump Pathway';

const totpOf = (secret: string, account = '') =>
  new TOTP({ issuer: ISSUER, label: account, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) });

/** A new shared secret, 160 random bits (RFC 4226's recommendation), in base32. */
export const newTotpSecret = () => new Secret({ size: 20 }).base32;

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export const otpauthUri = (secret: string, account: string) => totpOf(secret, account).toString();

/**
 * The 30-second step whose code this is, or null. One step either side is accepted, for clocks a little apart
 * and codes typed as they change; the caller refuses any step not later than the last one used (no replay).
 */
export function matchingStep(secret: string, code: string, at = Date.now()): number | null {
  const delta = totpOf(secret).validate({ token: code, timestamp: at, window: 1 });
  return delta === null ? null : Math.floor(at / 1000 / PERIOD_SECONDS) + delta;
}

/** Ten recovery codes of ten characters from an alphabet that cannot be misread, about 49 bits each. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    Array.from({ length: 10 }, () => RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)]).join(''),
  );
}

/** The QR code of the URI as an SVG drawing (the qrcode library's, not hand-drawn). */
export const qrCodeSvg = (uri: string) => QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
