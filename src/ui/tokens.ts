// How token pieces read on screen: spaces, newlines and tabs made visible where a piece stands alone
// (candidates, grid cells), and probabilities in a fixed style.

/** " the" → "␣the", "\n" → "↵"; an empty piece → "∅". */
export function visiblePiece(piece: string): string {
  if (piece === '') return '∅';
  return piece.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥').replace(/\r/g, '␍');
}

/** A probability as a percentage with a precision that suits it: "42.1 %", "0.37 %", "<0.01 %". */
export function formatProb(p: number): string {
  if (!Number.isFinite(p)) return '—';
  const pct = 100 * p;
  if (pct >= 10) return `${pct.toFixed(1)} %`;
  if (pct >= 0.01) return `${pct.toFixed(2)} %`;
  return '<0.01 %';
}

/** A confidence on a log scale: 0 at 0.1 % or less, 1/3 at 1 %, 2/3 at 10 %, 1 at 100 %. Small
 *  models are rarely sure of anything; a linear scale would paint them all one colour. */
export function confidenceScale(c: number): number {
  if (!(c > 0)) return 0;
  return Math.max(0, Math.min(1, (Math.log10(c) + 3) / 3));
}

/** A confidence in [0, 1] as a colour from red (unsure) through amber to green (sure), log scale. */
export function confidenceColor(c: number, lightness = 30): string {
  return `hsl(${Math.round(4 + 136 * confidenceScale(c))} 62% ${lightness}%)`;
}

/** Bin edges of the confidence histogram (log-spaced), and a label for each bin's lower edge. */
export const CONFIDENCE_BINS = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3];
export const CONFIDENCE_BIN_LABELS = ['0', '0.1%', '0.3%', '1%', '3%', '10%', '30%'];
