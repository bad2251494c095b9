import type { Role } from './domain/access';

export interface NavItem {
  href: string;
  label: string;
}

/**
 * Where each role starts, and what `/` shows it: routing, not permission (the services decide what each may see).
 * Commissioners work from the dashboard alone, so `/` sends them there.
 */
export const HOME = { nurse: 'worklist', consultant: 'eligibility-queue', commissioner: 'dashboard', admin: 'overview' } as const satisfies Record<Role, string>;
export type Home = (typeof HOME)[Role];
export const HOME_HEADING: Record<Exclude<Home, 'dashboard'>, string> = { worklist: 'Your worklist', 'eligibility-queue': 'Eligibility queue', overview: 'Overview' };

/** The pages each role works from. Only pages that exist are listed. */
export const NAVIGATION: Record<Role, NavItem[]> = {
  nurse: [
    { href: '/', label: 'Worklist' },
    { href: '/patients', label: 'Patients' },
    { href: '/referrals', label: 'Referrals' },
    { href: '/dashboard', label: 'Dashboard' },
    { href: '/exports/national-hcl', label: 'National return' },
    { href: '/imports/caseload', label: 'Import caseload' },
  ],
  consultant: [
    { href: '/', label: 'Eligibility queue' },
    { href: '/patients', label: 'Patients' },
    { href: '/referrals', label: 'Referrals' },
    { href: '/dashboard', label: 'Dashboard' },
    { href: '/exports/national-hcl', label: 'National return' },
    { href: '/imports/caseload', label: 'Import caseload' },
  ],
  commissioner: [{ href: '/dashboard', label: 'Dashboard' }],
  admin: [
    { href: '/', label: 'Overview' },
    { href: '/admin/sites', label: 'Sites' },
    { href: '/admin/users', label: 'Users' },
    { href: '/admin/devices', label: 'Devices' },
    { href: '/admin/reference', label: 'Reference data' },
    { href: '/referrals', label: 'Referrals' },
    { href: '/dashboard', label: 'Dashboard' },
    { href: '/exports/national-hcl', label: 'National return' },
    { href: '/imports/caseload', label: 'Import caseload' },
    { href: '/admin/audit', label: 'Audit trail' },
  ],
};

export const ROLE_LABEL: Record<Role, string> = {
  nurse: 'Diabetes specialist nurse',
  consultant: 'Consultant',
  commissioner: 'Commissioner',
  admin: 'Administrator',
};
