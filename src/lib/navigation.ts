import type { Role } from './domain/access';

export interface NavItem {
  href: string;
  label: string;
}

/** The pages each role works from. Only pages that exist are listed. */
export const NAVIGATION: Record<Role, NavItem[]> = {
  nurse: [{ href: '/', label: 'Worklist' }],
  consultant: [{ href: '/', label: 'Eligibility queue' }],
  commissioner: [{ href: '/', label: 'Dashboard' }],
  admin: [
    { href: '/', label: 'Overview' },
    { href: '/admin/sites', label: 'Sites' },
    { href: '/admin/users', label: 'Users' },
  ],
};

export const ROLE_LABEL: Record<Role, string> = {
  nurse: 'Diabetes specialist nurse',
  consultant: 'Consultant',
  commissioner: 'Commissioner',
  admin: 'Administrator',
};
