import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';
import { matchingStep, newRecoveryCodes, newTotpSecret, qrCodeSvg } from './totp';

// RFC 6238 appendix B's SHA-1 key, "12345678901234567890", in base32; its 8-digit codes end in these 6 digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP codes (RFC 6238: SHA-1, 30 s, 6 digits)', () => {
  it('matches the RFC test vectors, answering the step of the code', () => {
    expect(matchingStep(RFC_SECRET, '287082', 59_000)).toBe(1);
    expect(matchingStep(RFC_SECRET, '081804', 1_111_111_109_000)).toBe(37_037_036);
    expect(matchingStep(RFC_SECRET, '005924', 1_234_567_890_000)).toBe(41_152_263);
  });
  it('accepts the step either side, and no further', () => {
    expect(matchingStep(RFC_SECRET, '287082', 59_000 + 30_000)).toBe(1);
    expect(matchingStep(RFC_SECRET, '287082', 59_000 + 60_000)).toBeNull();
  });
  it('makes 160-bit secrets and ten distinct recovery codes', () => {
    expect(newTotpSecret()).toMatch(/^[A-Z2-7]{32}$/);
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[2-9A-Z]{10}$/);
  });
  it('draws the QR code as SVG', async () => {
    expect(await qrCodeSvg('otpauth://totp/x?secret=ABC')).toMatch(/^<svg [^>]*viewBox/);
  });
});

describe('secrets encrypted at rest', () => {
  const box = new SecretBox(randomBytes(32));
  it('opens what it sealed for the same owner only', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'user-2')).toBeNull();
  });
  it('refuses a sealed text under another key, or altered', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(new SecretBox(randomBytes(32)).open(sealed, 'user-1')).toBeNull();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(box.open(parts.join('.'), 'user-1')).toBeNull();
  });
});
