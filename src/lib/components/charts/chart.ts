import { formatNumber } from '../../format';

/**
 * What every dashboard chart shares. Colours are NHS palette colours that reach 3:1 against white (WCAG 1.4.11)
 * and never carry meaning alone: shapes, patterns, labels and the table beside each chart carry it too.
 */
export const COLOUR = {
  bar: '#005eb8',
  dark: '#003087',
  text: '#212b32',
  secondary: '#4c6272',
  grid: '#d8dde0',
  red: '#d5281b',
  green: '#007f3b',
} as const;

/**
 * Making Data Count's colours for a point's variation. Its blue and orange fall short of 3:1 against white, so the
 * markers that carry them are outlined in a dark colour and differ in shape as well (SpcChart.svelte).
 */
export const SPC_COLOUR = { improvement: '#41B6E6', concern: '#ED8B00', common: '#7b7d7d', outline: '#212b32' } as const;

/**
 * Charts are drawn in their own units and scaled to the page. They never shrink below this share of their drawn
 * width (a narrower page scrolls the chart sideways), so that their smallest text, 16 units (app.css), stays at
 * least 12 CSS px at any zoom.
 */
export const MIN_SCALE = 0.75;
export const minWidthStyle = (drawnWidth: number): string => `min-width: ${drawnWidth * MIN_SCALE}px`;

/** A count withheld by disclosure control, as the national audits print it. */
export const WITHHELD = '1-7';
/** Withheld counts are drawn as the range they lie in, never as zero. */
export const WITHHELD_RANGE = [1, 7] as const;

/** A count as a cell or a label shows it: withheld counts read "1-7"; unknown ones are blank. */
export function countText(value: number | null, withheld: boolean): string {
  if (withheld) return WITHHELD;
  return value === null ? '' : formatNumber(value);
}

export const percentText = (value: number | null, withheld: boolean) => (withheld ? 'withheld' : value === null ? 'no figure' : `${formatNumber(value)}%`);

/** The largest figure a chart must show: withheld counts may be as large as 7. */
export function scaleMax(values: readonly (number | null)[], anyWithheld: boolean, floor = 1): number {
  return Math.max(floor, ...values.map((v) => v ?? 0), anyWithheld ? WITHHELD_RANGE[1] : 0);
}

export interface Bar {
  label: string;
  value: number | null;
  withheld: boolean;
  /** The figure as the bar's label shows it. */
  text: string;
}
