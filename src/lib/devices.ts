/** Devices in UK use (domain.md): pump, CGM and algorithm are recorded separately, as NICE treats them as parts. */
export const PUMPS = ['Medtronic MiniMed 780G', 'Tandem t:slim X2', 'Insulet Omnipod 5', 'Ypsomed mylife YpsoPump', 'Dana-i'];
export const CGMS = ['Guardian 4', 'Simplera Sync', 'Dexcom G6', 'Dexcom G7', 'FreeStyle Libre 2 Plus', 'FreeStyle Libre 3 Plus'];
export const ALGORITHMS = ['SmartGuard', 'Control-IQ', 'SmartAdjust', 'CamAPS FX'];
