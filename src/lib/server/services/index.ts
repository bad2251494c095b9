import type { Config } from '../config';
import type { Database } from '../db/client';
import { AuditService } from './audit.service';
import { AuthService } from './auth.service';
import { DeviceService } from './device.service';
import { ImplementationService } from './implementation.service';
import { PatientService } from './patient.service';
import { ReferralService } from './referral.service';
import { SiteService } from './site.service';
import { UserService } from './user.service';

/** Built once per process and shared by the API routes and the pages: one database handle, one set of rules. */
export function createServices(database: Database, config: Pick<Config, 'SESSION_IDLE_MINUTES' | 'SESSION_ABSOLUTE_HOURS'>) {
  const { db } = database;
  const patients = new PatientService(db);
  return {
    database,
    auth: new AuthService(db, { idleMinutes: config.SESSION_IDLE_MINUTES, absoluteHours: config.SESSION_ABSOLUTE_HOURS }),
    users: new UserService(db),
    sites: new SiteService(db),
    patients,
    referrals: new ReferralService(db, patients),
    audit: new AuditService(db),
    devices: new DeviceService(db),
    implementation: new ImplementationService(db),
  };
}

export type Services = ReturnType<typeof createServices>;
