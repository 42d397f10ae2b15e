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
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 10_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(abs / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes === 0) return `${sign}${seconds} s`;
  return seconds === 0 ? `${sign}${minutes} min` : `${sign}${minutes} min ${seconds} s`;
}

/** Host RAM from MiB: `4 GiB`, `1.5 GiB`, `512 MiB`. */
export function formatMemory(mib: number): string {
  if (mib < 1024) return `${mib} MiB`;
  const gib = mib / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}
