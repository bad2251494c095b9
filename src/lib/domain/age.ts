import { isLeapYear, parseCalendarDate } from './calendar-date';

/**
 * Age in completed years on a given calendar date, as the eligibility rules need it ("12 or over", "under 18").
 *
 * On the birthday itself the person has reached the new age. Someone born on 29 February reaches each new age,
 * in a year without a 29 February, on 1 March: the UK convention (the Family Law Reform Act 1969 s.9 counts an
 * age from the start of the anniversary of the birth, and a 29 February anniversary is taken to fall on 1 March
 * in a common year). So a child born 2012-02-29 is 12 on 2025-02-28 and 13 on 2025-03-01.
 */
export function ageOnDate(birthDate: string, onDate: string): number {
  const birth = parseCalendarDate(birthDate);
  const on = parseCalendarDate(onDate);
  if (!birth) throw new RangeError(`Not a calendar date: ${JSON.stringify(birthDate)}`);
  if (!on) throw new RangeError(`Not a calendar date: ${JSON.stringify(onDate)}`);
  if (onDate < birthDate) throw new RangeError(`${onDate} is before the birth date ${birthDate}`);

  const leapling = birth.month === 2 && birth.day === 29 && !isLeapYear(on.year);
  const birthdayMonth = leapling ? 3 : birth.month;
  const birthdayDay = leapling ? 1 : birth.day;
  const hadBirthdayThisYear = on.month > birthdayMonth || (on.month === birthdayMonth && on.day >= birthdayDay);
  return on.year - birth.year - (hadBirthdayThisYear ? 0 : 1);
}
