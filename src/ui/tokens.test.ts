// How pieces, probabilities and confidences read on screen.

import { describe, expect, it } from 'vitest';
import { confidenceColor, confidenceScale, formatProb, visiblePiece } from './tokens.ts';

describe('visiblePiece', () => {
  it('makes spaces, newlines and tabs visible, and an empty piece too', () => {
    expect(visiblePiece(' the')).toBe('␣the');
    expect(visiblePiece('\n\n')).toBe('↵↵');
    expect(visiblePiece('a\tb')).toBe('a⇥b');
    expect(visiblePiece('')).toBe('∅');
  });
});

describe('formatProb', () => {
  it('picks a precision that suits the size', () => {
    expect(formatProb(0.4213)).toBe('42.1 %');
    expect(formatProb(0.0537)).toBe('5.37 %');
    expect(formatProb(0.00001)).toBe('<0.01 %');
    expect(formatProb(NaN)).toBe('—');
  });
});

describe('confidenceScale', () => {
  it('is logarithmic from 0.1 % to 100 %, clamped, and 0 for masked (NaN) positions', () => {
    expect(confidenceScale(1)).toBe(1);
    expect(confidenceScale(0.1)).toBeCloseTo(2 / 3);
    expect(confidenceScale(0.01)).toBeCloseTo(1 / 3);
    expect(confidenceScale(0.0001)).toBe(0);
    expect(confidenceScale(NaN)).toBe(0);
    expect(confidenceColor(1)).toBe('hsl(140 62% 30%)');
    expect(confidenceColor(0)).toBe('hsl(4 62% 30%)');
  });
});
