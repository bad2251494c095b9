// One formatter for the process: each new Intl.DateTimeFormat costs a fraction of a millisecond and native (ICU)
// memory that the garbage collector does not see. Every pathway event asks for today's date, so the answer is
// also kept for the minute (London's offset from UTC only ever changes on the hour).
const LONDON_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
let lastMinute = Number.NaN;
let lastDate = '';

/** Today's calendar date in the service's own time zone (Europe/London), as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDate = LONDON_DATE.format(now);
    lastMinute = minute;
  }
  return lastDate;
}
