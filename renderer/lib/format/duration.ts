/** Human-readable times for the clock, the stopwatch and drill reports. */

/** `m:ss.t` for the stopwatch and the cluster clock (hours appear only when needed). */
export function formatClock(ms: number): string {
  const safe = Math.max(0, Math.floor(ms));
  const tenths = Math.floor((safe % 1000) / 100);
  const totalSeconds = Math.floor(safe / 1000);
  const seconds = totalSeconds % 60;
  const minutes = Math.floor(totalSeconds / 60) % 60;
  const hours = Math.floor(totalSeconds / 3600);
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}.${tenths}`;
  return `${minutes}:${ss}.${tenths}`;
}

/** `2 min 15 s` / `45 s` / `1.2 s` for durations inside sentences and tables. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  // No sign on a value that shows as zero: "-0.0 s" next to "0.0 s" reads as two different numbers.
  const sign = ms < 0 && Math.round(abs / 100) > 0 ? '-' : '';
  if (abs < 10_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(abs / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes === 0) return `${sign}${seconds} s`;
  return seconds === 0 ? `${sign}${minutes} min` : `${sign}${minutes} min ${seconds} s`;
}

/** A difference between two durations: `+1.2 s`, `-3 s`, and `0.0 s` (no sign) when it shows as zero. */
export function formatDelta(ms: number): string {
  const text = formatDuration(Math.abs(ms));
  if (/^0(\.0)? s$/.test(text)) return text;
  return `${ms > 0 ? '+' : '-'}${text}`;
}

/** Host RAM from MiB: `4 GiB`, `1.5 GiB`, `512 MiB`. */
export function formatMemory(mib: number): string {
  if (mib < 1024) return `${mib} MiB`;
  const gib = mib / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}
