/** Bounds every lab expression runs under; lab files come from teachers, not from us. */
export interface ExpressionLimits {
  /** Wall time for one evaluation (checked at every evaluation step). */
  timeoutMs: number;
  /** Nesting depth of evaluation (recursion). */
  maxDepth: number;
  /** Longest sequence an expression may build, e.g. [1..n]. */
  maxSequence: number;
  /** JSON size of the input plus bindings. */
  maxInputBytes: number;
  /** JSON size of the result, and length of any string built on the way. */
  maxOutputBytes: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = {
  timeoutMs: 500,
  maxDepth: 300,
  maxSequence: 100_000,
  maxInputBytes: 4 * 1024 * 1024,
  maxOutputBytes: 256 * 1024,
};
