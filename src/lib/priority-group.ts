/**
 * The referral form's explicit "Not yet known" priority group. The API leaves the group optional, so the form sends
 * this rather than nothing; it is dropped before the referral is created, as is any group on a pump referral's form
 * whose closed-loop question was hidden.
 */
export const NOT_YET_KNOWN = 'not_known';

export function priorityGroupFromForm(values: Record<string, unknown>): Record<string, unknown> {
  const { priorityGroup, ...rest } = values;
  return priorityGroup === undefined || priorityGroup === NOT_YET_KNOWN ? rest : { ...rest, priorityGroup };
}
