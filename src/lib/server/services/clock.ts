// One formatter for the process: each new Intl.DateTimeFormat costs a fraction of a millisecond and native (ICU)
// memory that the garbage collector does not see, so making one per call grew the server's memory under load.
const LONDON_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's calendar date in the service's own time zone (Europe/London), as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  return LONDON_DATE.format(now);
}
