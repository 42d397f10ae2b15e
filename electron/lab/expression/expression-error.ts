/** Why an expression could not be compiled or evaluated; `position` is a character offset in its source. */
export type ExpressionErrorCode =
  | 'syntax'
  | 'timeout'
  | 'too-deep'
  | 'too-long-sequence'
  | 'input-too-large'
  | 'output-too-large'
  | 'not-data'
  | 'evaluation';

export class ExpressionError extends Error {
  constructor(
    readonly code: ExpressionErrorCode,
    message: string,
    readonly source: string,
    readonly position?: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}
