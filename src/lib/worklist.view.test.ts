import { describe, expect, it } from 'vitest';
import { dueInWords } from './worklist.view';

describe('how far an item is from its due date', () => {
  it.each([
    [0, 'Due today'],
    [-1, 'Due tomorrow'],
    [-5, 'Due in 5 days'],
    [-14, 'Due in 2 weeks'],
    [1, '1 day overdue'],
    [13, '13 days overdue'],
    [21, '3 weeks overdue'],
    [27, '3 weeks overdue'],
    [56, '8 weeks overdue'],
    [72, '2 months overdue'],
    [91, '3 months overdue'],
    [800, '2 years overdue'],
  ])('%i days past due reads "%s"', (days, words) => {
    expect(dueInWords(days)).toBe(words);
  });
});
