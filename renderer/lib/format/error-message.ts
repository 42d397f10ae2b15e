/** The text to show for a failed call: the engine's `{code, message}` message, never a stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
