import { validation } from '../../domain/errors';

/** Keyset cursors: opaque to clients, the sort key of the last row they saw. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, length: number): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length && key.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return key;
    }
  } catch {
    // falls through to the validation error
  }
  throw validation([{ path: 'cursor', message: 'Cursor is not one this server gave out' }]);
}

export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => (string | number)[]) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
