import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { ROLES } from '../../domain/access';
import { COUNT_GRAINS } from '../../domain/count-buckets';
import { EQUITY_SPLITS } from '../../domain/equity';
import { WAIT_NAMES, type WaitName } from '../../domain/metrics';
import { WAIT_BINS } from '../../domain/metrics-series';
import { INITIAL_STATUS, RECORD_EVENT_TYPES, REFERRAL_STATUSES } from '../../domain/pathway';
import { SIGN_IN_METHODS } from '../../domain/sign-in';
import {
  BARRIER_CATEGORIES,
  CONDITION_KINDS,
  DEVICE_KINDS,
  DIABETES_TYPES,
  ETHNIC_CATEGORIES,
  FACILITATION_KINDS,
  FACILITATION_MODES,
  OBSERVATION_SOURCES,
  POPULATION_SOURCES,
  PRIORITY_GROUPS,
  REFERRAL_ORIGINS,
  REFERRAL_SOURCES,
  SEXES,
  THERAPIES,
} from '../../domain/vocabulary';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const roleEnum = pgEnum('role', ROLES);

export const sites = pgTable('sites', {
  id: uuid('id').primaryKey().defaultRandom(),
  odsCode: text('ods_code').notNull().unique(),
  name: text('name').notNull(),
  icb: text('icb').notNull(),
  t1dPopulation: integer('t1d_population'),
  t1dPopulationAsOf: date('t1d_population_as_of', { mode: 'string' }),
  version: integer('version').notNull().default(1),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Every type 1 population count a site has had, one per date, never overwritten by a later one: the metrics of a
 * period divide by the latest count on or before its end. `sites.t1d_population` repeats the newest, for lists.
 */
export const sitePopulationCounts = pgTable(
  'site_population_counts',
  {
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    asOf: date('as_of', { mode: 'string' }).notNull(),
    t1dPopulation: integer('t1d_population').notNull(),
    source: text('source', { enum: POPULATION_SOURCES }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    recordedBy: uuid('recorded_by'),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.asOf] })],
);

/**
 * The type 1 population a FHIR sync counted by each equity split (domain.md, "Equity"), kept with the sync's date
 * like the total: the equity figures of a period divide by the split counts of the latest sync on or before its end.
 * A sync lists every value of every split, zeros included, so a value with no row was not counted that day.
 */
export const sitePopulationSplitCounts = pgTable(
  'site_population_split_counts',
  {
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    asOf: date('as_of', { mode: 'string' }).notNull(),
    split: text('split', { enum: EQUITY_SPLITS }).notNull(),
    value: text('value').notNull(),
    t1dPopulation: integer('t1d_population').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.asOf, t.split, t.value] })],
);

/**
 * The postcode-to-deprivation table an admin loads (about 1.7 million postcodes for England), replaced whole on each
 * load. Postcodes are kept compact (capitals, no spaces) so that a patient's postcode, however it was written, finds
 * its row through the key.
 */
export const imdPostcodes = pgTable(
  'imd_postcodes',
  {
    postcode: text('postcode').primaryKey(),
    imdDecile: smallint('imd_decile').notNull(),
  },
  (t) => [check('imd_postcodes_decile', sql`${t.imdDecile} between 1 and 10`)],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Stored lower-cased, so the unique index is also case-insensitive.
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: roleEnum('role').notNull(),
    // Null for a person who signs in only through the identity provider (single sign-on).
    passwordHash: text('password_hash'),
    // The identity provider's issuer and subject, stored the first time the person signs in through it.
    oidcIssuer: text('oidc_issuer'),
    oidcSubject: text('oidc_subject'),
    // A deactivated account keeps its history but cannot sign in by any method.
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email), uniqueIndex('users_oidc_identity_key').on(t.oidcIssuer, t.oidcSubject)],
);

export const userSites = pgTable(
  'user_sites',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.siteId] }), index('user_sites_site_idx').on(t.siteId)],
);

export const sessions = pgTable(
  'sessions',
  {
    // SHA-256 of the cookie's token: a leaked table row cannot be replayed as a cookie.
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    clientAddress: text('client_address'),
    userAgent: text('user_agent'),
    /** How the person signed in: SIGN_IN_METHODS. */
    method: text('method', { enum: SIGN_IN_METHODS }).notNull().default('password'),
    /** From single sign-on: the ID token, sent back as the hint when signing out at the provider. */
    idToken: text('id_token'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * A password account's authenticator app (TOTP). The secret is encrypted (src/lib/server/auth/secret-box.ts);
 * until `confirmed_at` is set the enrolment is pending and the factor is not asked for. `last_used_step` is the
 * 30-second step of the last code accepted: a code is never accepted twice.
 */
export const userTotp = pgTable('user_totp', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secret: text('secret').notNull(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  lastUsedStep: bigint('last_used_step', { mode: 'number' }),
  createdAt: createdAt(),
});

/**
 * Keys the app makes for itself and every app process must share, by name. Only the authenticator secrets' key
 * lives here, and only on a PostgreSQL server started without TOTP_ENCRYPTION_KEY: the contract lets a deployment
 * leave it out, and a key kept with the data is still better than secrets in the clear (see README).
 */
export const serverKeys = pgTable('server_keys', {
  name: text('name').primaryKey(),
  key: text('key').notNull(),
  createdAt: createdAt(),
});

/** One-time recovery codes of an authenticator enrolment, argon2id-hashed; a used one keeps its `used_at`. */
export const userRecoveryCodes = pgTable(
  'user_recovery_codes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('user_recovery_codes_user_idx').on(t.userId)],
);

/**
 * A sign-in half done, found by the SHA-256 of a short-lived cookie's token: single sign-on's state, nonce, PKCE
 * verifier and return path while the person is at the provider, or a checked password waiting for its code. Kept
 * in the database, not in a process, because any app process may receive the next step.
 */
export const signInFlows = pgTable(
  'sign_in_flows',
  {
    tokenHash: text('token_hash').primaryKey(),
    kind: text('kind', { enum: ['oidc', 'second_factor'] }).notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    data: jsonb('data').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('sign_in_flows_expires_idx').on(t.expiresAt)],
);

export const loginFailures = pgTable(
  'login_failures',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    key: text('key').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('login_failures_key_at_idx').on(t.key, t.at)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
    actorId: uuid('actor_id'),
    actorRole: roleEnum('actor_role'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: uuid('entity_id'),
    requestId: text('request_id'),
    clientAddress: text('client_address'),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [
    index('audit_entity_idx').on(t.entityId, t.at),
    index('audit_actor_idx').on(t.actorId, t.at),
    index('audit_at_idx').on(t.at),
  ],
);

export const sexEnum = pgEnum('sex', SEXES);
export const diabetesTypeEnum = pgEnum('diabetes_type', DIABETES_TYPES);
export const therapyEnum = pgEnum('therapy', THERAPIES);
export const referralStatusEnum = pgEnum('referral_status', REFERRAL_STATUSES);
export const eventTypeEnum = pgEnum('event_type', RECORD_EVENT_TYPES);

export const patients = pgTable(
  'patients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    // Null only for patients imported from FHIR records that carry none (test data often has none).
    nhsNumber: text('nhs_number').unique(),
    fhirId: text('fhir_id'),
    fhirServer: text('fhir_server'),
    fhirVersion: text('fhir_version'),
    fhirFetchedAt: timestamp('fhir_fetched_at', { withTimezone: true }),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    sex: sexEnum('sex').notNull(),
    diabetesType: diabetesTypeEnum('diabetes_type').notNull(),
    // What the equity figures split by (domain.md, "Equity"); null when not known.
    ethnicCategory: text('ethnic_category', { enum: ETHNIC_CATEGORIES }),
    // Capitals with one space before the inward code ("LS1 4AP"), so that one postcode is stored one way.
    postcode: text('postcode'),
    // Index of Multiple Deprivation decile, 1 (most deprived) to 10.
    imdDecile: integer('imd_decile'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('patients_site_family_idx').on(t.siteId, t.familyName),
    // Name search matches the start of the full name, written either way round (searchPatients).
    index('patients_family_given_search_idx').on(sql`lower(${t.familyName} || ' ' || ${t.givenName}) text_pattern_ops`),
    index('patients_given_family_search_idx').on(sql`lower(${t.givenName} || ' ' || ${t.familyName}) text_pattern_ops`),
    uniqueIndex('patients_fhir_idx').on(t.fhirServer, t.fhirId),
    check('patients_imd_decile', sql`${t.imdDecile} between 1 and 10`),
  ],
);

export const observations = pgTable(
  'observations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    kind: text('kind', { enum: ['hba1c'] }).notNull(),
    // As the source gave it: a date (YYYY-MM-DD) or an instant; `effectiveAt` orders them.
    effective: text('effective').notNull(),
    effectiveAt: timestamp('effective_at', { withTimezone: true }).notNull(),
    mmolMol: integer('mmol_mol').notNull(),
    originalValue: text('original_value').notNull(),
    originalUnit: text('original_unit').notNull(),
    source: text('source', { enum: OBSERVATION_SOURCES }).notNull(),
    sourceServer: text('source_server'),
    sourceResourceId: text('source_resource_id'),
    sourceVersion: text('source_version'),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }),
    enteredBy: uuid('entered_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('observations_patient_idx').on(t.patientId, t.kind, t.effectiveAt),
    // A re-import refreshes a FHIR result in place rather than adding it again.
    uniqueIndex('observations_source_key').on(t.patientId, t.sourceServer, t.sourceResourceId),
  ],
);

export const referrals = pgTable(
  'referrals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    // The patient's site when referred: access checks and metrics read it without a join.
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    therapy: therapyEnum('therapy').notNull(),
    status: referralStatusEnum('status').notNull().default(INITIAL_STATUS),
    origin: text('origin', { enum: REFERRAL_ORIGINS }).notNull().default('pathway'),
    // A pathway referral has the date and source of its arrival; an existing-therapy record has neither, but the
    // date the service knew the person to be on therapy (the date of its existing_therapy event).
    receivedOn: date('received_on', { mode: 'string' }),
    source: text('source', { enum: REFERRAL_SOURCES }),
    knownOn: date('known_on', { mode: 'string' }),
    priorityGroup: text('priority_group', { enum: PRIORITY_GROUPS }),
    // The date of the latest event (or receivedOn): no new event may be dated before it.
    lastEventOn: date('last_event_on', { mode: 'string' }).notNull(),
    // A deferred referral returns to the eligibility queue on this date.
    reassessOn: date('reassess_on', { mode: 'string' }),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('referrals_site_status_idx').on(t.siteId, t.status, t.receivedOn),
    index('referrals_patient_idx').on(t.patientId),
    check(
      'referrals_origin_dates',
      sql`case ${t.origin} when 'pathway' then ${t.receivedOn} is not null and ${t.source} is not null and ${t.knownOn} is null
        else ${t.knownOn} is not null and ${t.receivedOn} is null and ${t.source} is null end`,
    ),
  ],
);

export const referralEvents = pgTable(
  'referral_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    referralId: uuid('referral_id')
      .notNull()
      .references(() => referrals.id),
    // Position in the referral's history (1, 2, ...): unique, so two writers can never both append event n.
    seq: integer('seq').notNull(),
    type: eventTypeEnum('type').notNull(),
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    payload: jsonb('payload').notNull(),
    // The rule engine's view at the time of an assessment, kept with the decision it informed.
    criteria: jsonb('criteria'),
    statusAfter: referralStatusEnum('status_after').notNull(),
    recordedBy: uuid('recorded_by'),
    recordedRole: roleEnum('recorded_role'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('referral_events_seq_key').on(t.referralId, t.seq),
    index('referral_events_type_date_idx').on(t.type, t.occurredOn),
  ],
);

/**
 * One row per referral with the dates its events reached each milestone, and the HbA1c results around its
 * device start: what the implementation metrics read, so that a report never aggregates the whole event
 * history. The database keeps it: triggers on referrals, referral_events and observations recompute a
 * referral's row from those tables whenever they change (migrations/0006_referral_milestones.sql), so nothing
 * else ever writes it. Each date is the first on which the milestone was reached (the pathway allows each at
 * most once, except the funding request, of which the first counts).
 */
export const referralMilestones = pgTable(
  'referral_milestones',
  {
    referralId: uuid('referral_id')
      .primaryKey()
      .references(() => referrals.id, { onDelete: 'cascade' }),
    // Copied from the referral, which never changes them, so a report reads this table alone.
    siteId: uuid('site_id').notNull(),
    patientId: uuid('patient_id').notNull(),
    therapy: therapyEnum('therapy').notNull(),
    origin: text('origin', { enum: REFERRAL_ORIGINS }).notNull(),
    // Null for an existing-therapy record, which was never received as a referral.
    receivedOn: date('received_on', { mode: 'string' }),
    // The first date on which the record can count in any figure: its receipt, or for an existing record the day
    // it counts as on therapy from. Reports read only the rows entered by the end of their period.
    enteredOn: date('entered_on', { mode: 'string' }).notNull(),
    // An assessment deciding eligible or not eligible (a deferral decides nothing).
    decidedOn: date('decided_on', { mode: 'string' }),
    eligibleOn: date('eligible_on', { mode: 'string' }),
    requestedOn: date('requested_on', { mode: 'string' }),
    // A funding decision approving or declining (a request for more information decides nothing).
    fundingDecidedOn: date('funding_decided_on', { mode: 'string' }),
    approvedOn: date('approved_on', { mode: 'string' }),
    declinedOn: date('declined_on', { mode: 'string' }),
    startedOn: date('started_on', { mode: 'string' }),
    discontinuedOn: date('discontinued_on', { mode: 'string' }),
    // A pump record closed by the person's closed-loop start (switched_to_hcl): an end, not a discontinuation.
    switchedOn: date('switched_on', { mode: 'string' }),
    // On therapy from this date: the pathway's device start; for an existing record its start date when known,
    // else the date the service knew of it (a year-only or unknown start).
    onTherapyFrom: date('on_therapy_from', { mode: 'string' }),
    // The first of the discontinuation and the switch: off this therapy from this date.
    endedOn: date('ended_on', { mode: 'string' }),
    // The start's first anniversary (29 February's is 1 March), when therapy had not stopped by then: from this
    // date on, the start counts as continuing at 12 months.
    continuing12mOn: date('continuing_12m_on', { mode: 'string' }),
    // With a start: the latest HbA1c in the 12 months up to it, and the one 150-210 days after nearest to 180.
    baselineMmolMol: integer('baseline_mmol_mol'),
    followUpOn: date('follow_up_on', { mode: 'string' }),
    followUpMmolMol: integer('follow_up_mmol_mol'),
    // The patient's values the equity figures split by (domain.md, "Equity"), copied so that those figures read this
    // table alone: kept from patients, the decile the patient's own or else their postcode's in imd_postcodes
    // (migrations/0016_milestone_equity.sql).
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    sex: sexEnum('sex').notNull(),
    ethnicCategory: text('ethnic_category', { enum: ETHNIC_CATEGORIES }),
    imdDecile: smallint('imd_decile'),
  },
  (t) => [
    index('referral_milestones_site_idx').on(t.siteId, t.enteredOn),
    // A site's HbA1c changes whose follow-up fell in a period, read from the index alone.
    index('referral_milestones_follow_up_idx').on(t.siteId, t.followUpOn, t.baselineMmolMol, t.followUpMmolMol, t.patientId, t.enteredOn, t.therapy),
    index('referral_milestones_patient_idx').on(t.patientId),
    // A site's waits that ended in a period, each read from its index alone: the site and end date, then the rest the
    // metrics read.
    index('referral_milestones_decided_idx').on(t.siteId, t.decidedOn, t.receivedOn, t.enteredOn, t.therapy),
    index('referral_milestones_funding_decided_idx').on(t.siteId, t.fundingDecidedOn, t.eligibleOn, t.enteredOn, t.therapy),
    index('referral_milestones_started_idx').on(t.siteId, t.startedOn, t.approvedOn, t.receivedOn, t.enteredOn, t.therapy),
  ],
);

/** The first withdrawal of each withdrawn referral: no longer waiting for funding from this date. Kept by the database. */
export const referralWithdrawals = pgTable('referral_withdrawals', {
  referralId: uuid('referral_id').primaryKey(),
  withdrawnOn: date('withdrawn_on', { mode: 'string' }).notNull(),
});

/**
 * The patients whose records cannot be counted one by one: records on therapy at two sites or at overlapping times,
 * two device starts, or dates out of the pathway's order (only a direct edit of the database makes those).
 * milestone_counts leaves their records out, and the reports count them from referral_milestones. Kept by the
 * database (migrations/0015_milestone_counts.sql).
 */
export const patientsCountedDirectly = pgTable('patients_counted_directly', {
  patientId: uuid('patient_id').primaryKey(),
});

/** The column of milestone_counts counting one wait's bin (an index into WAIT_BINS): referral_to_assessment_0, ... */
export const waitBinColumn = (name: WaitName, bin: number) => `${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_${bin}`;
const WAIT_BIN_COLUMNS = WAIT_NAMES.flatMap((name) => WAIT_BINS.map((_, bin) => waitBinColumn(name, bin)));

const counts = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, integer(name).notNull().default(0)]));

/**
 * Counts of referral_milestones' dates by site, therapy and origin, per day, month and year (`grain`; `bucket` is
 * the first day of it), so that a report reads a few rows per site for any period: whole years and months, and the
 * days at either end. The database keeps it from referral_milestones (migrations/0015_milestone_counts.sql) and
 * nothing else writes it. Flows count the records whose date falls in the bucket; the stocks count each record
 * when it comes in and when it goes out (on_therapy_in/out, awaiting_funding_in/out), so that a stock at a date is
 * the sum of everything up to it. The records of patients_counted_directly are left out.
 */
export const milestoneCounts = pgTable(
  'milestone_counts',
  {
    grain: text('grain', { enum: COUNT_GRAINS }).notNull(),
    bucket: date('bucket', { mode: 'string' }).notNull(),
    siteId: uuid('site_id').notNull(),
    therapy: therapyEnum('therapy').notNull(),
    origin: text('origin', { enum: REFERRAL_ORIGINS }).notNull(),
    ...counts(['referrals', 'assessed', 'eligible', 'funding_requested', 'funding_approved', 'funding_declined', 'started', 'discontinued']),
    // From the later of on_therapy_from and entered_on, to the later of that and ended_on.
    ...counts(['on_therapy_in', 'on_therapy_out']),
    // The later of continuing_12m_on and entered_on; the later of the start's first anniversary and entered_on.
    ...counts(['continuing', 'reached']),
    // From the later of eligible_on and entered_on, to the later of that and the first of funding_decided_on and withdrawn_on.
    ...counts(['awaiting_funding_in', 'awaiting_funding_out']),
    // Each wait in its bin (WAIT_BINS), counted on the day it ended.
    ...counts(WAIT_BIN_COLUMNS),
  },
  (t) => [primaryKey({ name: 'milestone_counts_pk', columns: [t.grain, t.bucket, t.siteId, t.therapy, t.origin] })],
);

/**
 * One row per funding request and decision, with the commissioner and route of the request (a decision's is that
 * of the latest request before it), and for a request the first date of anything recorded on the referral after
 * it. Kept by the database from referral_events (migrations/0015_milestone_counts.sql); nothing else writes it.
 */
export const fundingSteps = pgTable(
  'funding_steps',
  {
    eventId: uuid('event_id').primaryKey(),
    referralId: uuid('referral_id').notNull(),
    siteId: uuid('site_id').notNull(),
    therapy: therapyEnum('therapy').notNull(),
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    outcome: text('outcome', { enum: ['submitted', 'approved', 'declined', 'more_info'] }).notNull(),
    commissioner: text('commissioner').notNull(),
    route: text('route').notNull(),
    answeredOn: date('answered_on', { mode: 'string' }),
  },
  (t) => [index('funding_steps_referral_idx').on(t.referralId)],
);

/** funding_steps counted as milestone_counts counts milestones, by commissioner and route. */
export const fundingCounts = pgTable(
  'funding_counts',
  {
    grain: text('grain', { enum: COUNT_GRAINS }).notNull(),
    bucket: date('bucket', { mode: 'string' }).notNull(),
    siteId: uuid('site_id').notNull(),
    therapy: therapyEnum('therapy').notNull(),
    commissioner: text('commissioner').notNull(),
    route: text('route').notNull(),
    ...counts(['submitted', 'approved', 'declined', 'more_info']),
    // A request is awaiting its decision from its date to the first date of anything recorded after it.
    ...counts(['awaiting_in', 'awaiting_out']),
  },
  (t) => [primaryKey({ name: 'funding_counts_pk', columns: [t.grain, t.bucket, t.siteId, t.therapy, t.commissioner, t.route] })],
);

/** Where a value pulled from FHIR came from: kept with the value so every figure can be traced. */
const fhirProvenance = () => ({
  sourceServer: text('source_server').notNull(),
  sourceResourceType: text('source_resource_type').notNull(),
  sourceResourceId: text('source_resource_id').notNull(),
  sourceVersion: text('source_version'),
  sourceLastUpdated: timestamp('source_last_updated', { withTimezone: true }),
  fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull(),
});

export const patientConditions = pgTable(
  'patient_conditions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    kind: text('kind', { enum: CONDITION_KINDS }).notNull(),
    system: text('system').notNull(),
    code: text('code').notNull(),
    display: text('display'),
    clinicalStatus: text('clinical_status'),
    onset: text('onset'),
    ...fhirProvenance(),
  },
  (t) => [uniqueIndex('patient_conditions_source_key').on(t.patientId, t.sourceServer, t.sourceResourceId)],
);

export const hypoglycaemiaEvents = pgTable(
  'hypoglycaemia_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    effective: text('effective').notNull(),
    effectiveAt: timestamp('effective_at', { withTimezone: true }).notNull(),
    description: text('description').notNull(),
    ...fhirProvenance(),
  },
  (t) => [
    uniqueIndex('hypoglycaemia_events_source_key').on(t.patientId, t.sourceServer, t.sourceResourceType, t.sourceResourceId),
    index('hypoglycaemia_events_patient_idx').on(t.patientId, t.effectiveAt),
  ],
);

/** The device catalogue a device start chooses from; reference data an admin extends. */
export const devices = pgTable(
  'devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: DEVICE_KINDS }).notNull(),
    name: text('name').notNull(),
    manufacturer: text('manufacturer'),
    // Retired devices stay, so past starts still name them, but are no longer offered.
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('devices_kind_name_key').on(t.kind, t.name)],
);

export const facilitationActivities = pgTable(
  'facilitation_activities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    on: date('on', { mode: 'string' }).notNull(),
    mode: text('mode', { enum: FACILITATION_MODES }).notNull(),
    kind: text('kind', { enum: FACILITATION_KINDS }).notNull(),
    facilitator: text('facilitator'),
    notes: text('notes'),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  (t) => [index('facilitation_site_on_idx').on(t.siteId, t.on)],
);

export const barriers = pgTable(
  'barriers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    raisedOn: date('raised_on', { mode: 'string' }).notNull(),
    category: text('category', { enum: BARRIER_CATEGORIES }).notNull(),
    description: text('description').notNull(),
    resolvedOn: date('resolved_on', { mode: 'string' }),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('barriers_site_raised_idx').on(t.siteId, t.raisedOn)],
);
