// Building a formatter costs far more than using one, and every pathway event asks for today's date.
const LONDON_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's calendar date in the service's own time zone (Europe/London), as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  return LONDON_DATE.format(now);
}
