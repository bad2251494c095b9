/** Calendar dates on screen in UK form (31 March 2026); the API keeps ISO. */
export function formatUkDate(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

export const formatNumber = (n: number) => new Intl.NumberFormat('en-GB').format(n);
