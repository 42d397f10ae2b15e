/** Terminal colours for the light and dark themes (contrast ≥ 4.5:1 for the default text). */
import type { ITheme } from '@xterm/xterm';

export const XTERM_DARK: ITheme = {
  background: '#1b1e22',
  foreground: '#e6e6e6',
  cursor: '#e6e6e6',
  selectionBackground: '#3d5a80',
};
export const XTERM_LIGHT: ITheme = {
  background: '#fbfbfb',
  foreground: '#1d1d1d',
  cursor: '#1d1d1d',
  selectionBackground: '#b9d3f0',
  green: '#1a7f37',
  yellow: '#8a6100',
  red: '#c62828',
  blue: '#1f5fbf',
};

/** Room below the baseline for underscores and descenders (1.0 clips `_` in the DOM renderer). */
export const TERMINAL_LINE_HEIGHT = 1.2;
