// Formatters are made once: each new Intl formatter costs a fraction of a millisecond and native (ICU) memory
// that the garbage collector does not see, and a page may format hundreds of dates.
const UK_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const UK_DATE_TIME = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/London' });
const UK_NUMBER = new Intl.NumberFormat('en-GB');

/** Calendar dates on screen in UK form (31 March 2026); the API keeps ISO. */
export function formatUkDate(iso: string): string {
  return UK_DATE.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
}

/** An instant on screen, in UK time (26 Nov 2026, 15:08:12). */
export const formatUkDateTime = (d: Date) => UK_DATE_TIME.format(d);

export const formatNumber = (n: number) => UK_NUMBER.format(n);

/** A person's name as every list and heading writes it: "LOVELACE, Ada". */
export const patientName = (p: { familyName: string; givenName: string }) => `${p.familyName.toUpperCase()}, ${p.givenName}`;
