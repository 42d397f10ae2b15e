/** Whether a theme setting means dark right now ('system' follows the OS preference). */
import type { Theme } from '@contract/dto.ts';

export function isDark(theme: Theme | undefined): boolean {
  if (theme === 'dark') return true;
  if (theme !== 'system' || typeof window === 'undefined') return false;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}
