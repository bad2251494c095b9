import type { observations, patients, referralEvents, referrals } from '../db/schema';
import type { SiteProfile } from './history.regimes';

export type { SiteProfile } from './history.regimes';

/** Insertable rows with their ids already chosen, so referrals and events can point at them before loading. */
export type PatientRow = typeof patients.$inferInsert & { id: string };
export type ObservationRow = typeof observations.$inferInsert & { id: string };
export type ReferralRow = typeof referrals.$inferInsert & { id: string };
export type ReferralEventRow = typeof referralEvents.$inferInsert & { id: string };

export interface HistorySite {
  id: string;
  odsCode: string;
  profile: SiteProfile;
  /** For 'active' sites: the day hands-on facilitation began (YYYY-MM-DD); absent means facilitated throughout. */
  facilitationStartsOn?: string;
  /** Scales the site's share of referrals: a bigger service receives more. */
  t1dPopulation: number;
  /** The commissioner funding requests go to; a made-up ICB is chosen when absent. */
  icb?: string;
}

export interface SiteClinicians {
  nurseId?: string;
  consultantId?: string;
}

export interface HistoryOptions {
  seed: number;
  /** YYYY-MM-DD: nothing is dated after it. */
  today: string;
  /** How far back referrals go. */
  years: number;
  sites: readonly HistorySite[];
  /** Referrals per site per year for a site of average t1dPopulation among `sites`. */
  referralsPerSitePerYear: number;
  /**
   * The moment the history is made: no timestamp is later, so that nothing looks recorded in the future when it
   * is made early on `today`. Without it, `today`'s working hours are used as they are.
   */
  now?: Date;
  /** Who records events at each site (keyed by site id); without them recordedBy is null. */
  clinicians?: Readonly<Record<string, SiteClinicians>>;
}

export interface GeneratedHistory {
  patients: PatientRow[];
  observations: ObservationRow[];
  referrals: ReferralRow[];
  events: ReferralEventRow[];
}
