import { OidcClient } from '../auth/oidc.client';
import { SecretBox } from '../auth/secret-box';
import { PASSWORD_ONLY, type SignInSettings } from '../auth/sign-in.settings';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { primaryReads, type Reads } from '../db/read-replica';
import { createFhirClient, type FhirClientOptions } from '../fhir/fhir.client';
import { AuditService } from './audit.service';
import { AuthService } from './auth.service';
import { CaseloadImportService } from './caseload-import.service';
import { DemoHistoryService } from './demo-history.service';
import { DeviceService } from './device.service';
import { EquityService } from './equity.service';
import { FhirImportService } from './fhir-import.service';
import { HealthService } from './health.service';
import { ImplementationService } from './implementation.service';
import { MetricsService } from './metrics.service';
import { MetricsSeriesService } from './metrics-series.service';
import { NationalReturnService } from './national-return.service';
import { PatientService } from './patient.service';
import { PopulationService } from './population.service';
import { ReferenceService } from './reference.service';
import { ReferralService } from './referral.service';
import { SecondFactorService } from './second-factor.service';
import { SiteService } from './site.service';
import { SsoService } from './sso.service';
import { SpcService } from './spc.service';
import { UserService } from './user.service';

/**
 * Built once per process and shared by the API routes and the pages: one database handle, one set of rules.
 * `fhir` is the hospital FHIR server's client options; without it, FHIR imports answer 503. `reads` is where the
 * reads that tolerate staleness go (a read replica, see db/read-replica.ts); without it, the one database. `signIn`
 * says how people sign in (password only, without a second factor, unless given).
 */
export function createServices(
  database: Database,
  config: Pick<Config, 'SESSION_IDLE_MINUTES' | 'SESSION_ABSOLUTE_HOURS'>,
  options: { fhir?: FhirClientOptions | null; reads?: Reads; signIn?: SignInSettings } = {},
) {
  const { db } = database;
  const reads = options.reads ?? primaryReads(db);
  const patients = new PatientService(db);
  const signIn = options.signIn ?? PASSWORD_ONLY;
  const secrets = signIn.totpKey ? new SecretBox(signIn.totpKey) : null;
  const auth = new AuthService(
    db,
    { idleMinutes: config.SESSION_IDLE_MINUTES, absoluteHours: config.SESSION_ABSOLUTE_HOURS },
    { passwordSignIn: signIn.passwordSignIn, mfaRequiredRoles: signIn.mfaRequiredRoles, secrets, ssoDisplayName: signIn.oidc?.displayName ?? null },
  );
  return {
    health: new HealthService(db, reads),
    auth,
    secondFactor: new SecondFactorService(db, secrets),
    sso: signIn.oidc ? new SsoService(db, new OidcClient(signIn.oidc), auth) : null,
    users: new UserService(db, signIn.oidc !== null),
    sites: new SiteService(db),
    population: new PopulationService(db),
    patients,
    referrals: new ReferralService(db, patients),
    audit: new AuditService(db),
    devices: new DeviceService(db),
    implementation: new ImplementationService(db),
    metrics: new MetricsService(reads),
    metricsSeries: new MetricsSeriesService(reads),
    spc: new SpcService(reads),
    equity: new EquityService(reads),
    nationalReturns: new NationalReturnService(db, reads),
    caseloadImport: new CaseloadImportService(db),
    reference: new ReferenceService(db),
    demoHistory: new DemoHistoryService(db),
    fhir: options.fhir ? new FhirImportService(db, createFhirClient(options.fhir), patients) : null,
  };
}

export type Services = ReturnType<typeof createServices>;
