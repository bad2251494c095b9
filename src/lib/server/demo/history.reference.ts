/**
 * The words the demo history is made of: names, devices, commissioners and the free text clinicians write.
 * Kept apart from the simulation so a reviewer can read (and a clinician correct) them in one place.
 */

export const FEMALE_GIVEN_NAMES = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Ivy', 'Freya', 'Lily', 'Florence', 'Mia', 'Willow', 'Rosie', 'Sophia',
  'Isabella', 'Grace', 'Evie', 'Poppy', 'Ella', 'Charlotte', 'Emily', 'Sienna', 'Aisha', 'Fatima', 'Zara', 'Priya',
  'Megan', 'Rhiannon', 'Siobhan', 'Niamh', 'Catherine', 'Margaret', 'Susan', 'Janet', 'Helen', 'Karen', 'Deborah',
  'Joanne', 'Rachel', 'Sarah', 'Hannah', 'Chloe',
] as const;

export const MALE_GIVEN_NAMES = [
  'Oliver', 'George', 'Noah', 'Arthur', 'Leo', 'Harry', 'Oscar', 'Archie', 'Henry', 'Theodore', 'Jack', 'Charlie',
  'Thomas', 'Freddie', 'Alfie', 'James', 'William', 'Mohammed', 'Yusuf', 'Arjun', 'Rhys', 'Owen', 'Callum', 'Ewan',
  'Declan', 'Liam', 'David', 'Andrew', 'Stephen', 'Paul', 'Michael', 'Christopher', 'Richard', 'Peter', 'Gareth',
  'Daniel', 'Matthew', 'Samuel', 'Joseph', 'Kwame',
] as const;

export const FAMILY_NAMES = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts',
  'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris',
  'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore', 'Clark',
  'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott', 'Phillips', 'Watson', 'Davis', 'Parker',
  'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell', 'Kelly', 'Cook', 'Carter', 'Richardson', 'Bailey', 'Collins',
  'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Richards', 'Khan', 'Marshall', 'Anderson', 'Simpson', 'Ellis', 'Adams',
  'Singh', 'Begum', 'Ali', 'Hussain', 'Ahmed', 'Okafor', 'Mensah', "O'Brien", 'McDonald', 'Campbell', 'Stewart',
  'Llewellyn', 'Pritchard', 'Fletcher', 'Holmes', 'Barker', 'Chapman', 'Gray', 'Knight', 'Lloyd', 'Mason',
] as const;

/** What a device_started event records: pump, CGM and algorithm apart, as NICE treats HCL as interchangeable parts. */
export interface DeviceSet {
  pump: string;
  cgm?: string;
  algorithm?: string;
}

/** The hybrid closed loop systems in UK use, each with the CGMs it works with. */
export const HCL_SYSTEMS: readonly { pump: string; algorithm: string; cgms: readonly string[] }[] = [
  { pump: 'Medtronic MiniMed 780G', algorithm: 'SmartGuard', cgms: ['Guardian 4', 'Simplera Sync'] },
  { pump: 'Tandem t:slim X2', algorithm: 'Control-IQ', cgms: ['Dexcom G7', 'Dexcom G6'] },
  { pump: 'Insulet Omnipod 5', algorithm: 'SmartAdjust', cgms: ['Dexcom G6', 'FreeStyle Libre 2 Plus'] },
  { pump: 'Ypsomed mylife YpsoPump', algorithm: 'CamAPS FX', cgms: ['Dexcom G6', 'FreeStyle Libre 3'] },
  { pump: 'Dana-i', algorithm: 'CamAPS FX', cgms: ['Dexcom G6'] },
];

/** Pumps started as CSII alone: no algorithm, sometimes with the person's own sensor. */
export const CSII_PUMPS = ['Medtronic MiniMed 780G', 'Tandem t:slim X2', 'Ypsomed mylife YpsoPump', 'Insulet Omnipod DASH', 'Dana-i'] as const;
export const STANDALONE_CGMS = ['FreeStyle Libre 2 Plus', 'Dexcom G6', 'Dexcom One+'] as const;

/** Used when a site comes without its ICB's name. */
export const FALLBACK_ICBS = [
  'NHS North Riverside ICB',
  'NHS Moorside and Vale ICB',
  'NHS Westerley and Downs ICB',
  'NHS Eastfield Coast ICB',
  'NHS Harbour and Fells ICB',
] as const;

/** Rationales a consultant writes when deciding against the rule engine's suggestion. */
export const RATIONALE_ELIGIBLE_DESPITE = [
  'Recurrent severe hypoglycaemia documented in clinic letters although not captured at referral; MDT agreed to proceed.',
  'HbA1c rising despite optimised MDI and structured education; MDT supports a pump on clinical grounds.',
  'Very variable insulin requirements; MDT judged technology clinically appropriate and will seek prior approval.',
] as const;

export const RATIONALE_ELIGIBLE_OTHER_TYPE =
  'Type 3c diabetes after pancreatectomy with brittle glucose control; MDT judged the technology clinically appropriate.';

export const RATIONALE_NOT_ELIGIBLE_DESPITE = [
  'Unable to demonstrate safe use of the system at the assessment visit; revisit after further education.',
  'Engagement with glucose monitoring too limited at present; agreed to review in six months.',
  'Person prefers to stay on injections for now after discussing the options.',
] as const;

export const RATIONALE_DEFERRED = [
  'Deferred until a DAFNE structured education course is completed.',
  'Deferred: awaiting a CGM download to confirm the hypoglycaemia burden.',
  'Deferred at the person\u2019s request until after exams.',
  'Deferred: safeguarding and home circumstances to settle before starting technology.',
] as const;

export const DISCONTINUATION_REASONS = [
  'Skin reactions to infusion set adhesive despite barrier products.',
  'Prefers injections; finds wearing the device burdensome.',
  'HbA1c has not fallen towards the agreed target (TA151-1.4).',
  'Recurrent diabetic ketoacidosis on the pump.',
  'Not engaging with device uploads or clinic follow-up.',
] as const;

export const CONTINUE_NOTES = [
  'Good engagement; continue.',
  'Time in range improving; continue with current settings.',
  'Basal rates adjusted; continue.',
] as const;
