/**
 * How far a worklist item is from its due date, in the words a nurse would use ("3 weeks overdue", "due in 5 days"):
 * a count of days says little once it runs past a fortnight.
 */
export function dueInWords(daysOverdue: number): string {
  if (daysOverdue === 0) return 'Due today';
  if (daysOverdue === -1) return 'Due tomorrow';
  const span = spanOf(Math.abs(daysOverdue));
  return daysOverdue > 0 ? `${span} overdue` : `Due in ${span}`;
}

const AVERAGE_MONTH_DAYS = 365.25 / 12;

function spanOf(days: number): string {
  if (days < 14) return plural(days, 'day');
  // Whole weeks up to two months: "8 weeks" reads better than "1 month" for 56 days.
  if (days < 63) return plural(Math.floor(days / 7), 'week');
  const months = Math.round(days / AVERAGE_MONTH_DAYS);
  if (months < 24) return plural(months, 'month');
  return plural(Math.floor(days / 365.25), 'year');
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
