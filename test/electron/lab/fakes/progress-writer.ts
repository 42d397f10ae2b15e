/**
 * Child process for the crash tests: saves progress in a loop and prints each counter once its
 * save has resolved. Killed by the test at a random moment, or — with a second argument N — it
 * kills itself with SIGKILL in the middle of writing save N (half the bytes written).
 */
import fs from 'node:fs';
import { FileProgressStore } from '../../../../electron/lab/progress-store.ts';

const dir = process.argv[2];
const crashAt = Number(process.argv[3] ?? 0);
if (!dir) throw new Error('usage: progress-writer <dir> [crash-at]');

function crashInTheMiddleOfTheNextWrite(): void {
  const write = fs.write;
  (fs as { write: unknown }).write = (fd: number, data: Buffer | string, ...rest: unknown[]) => {
    const callback = rest[rest.length - 1] as (e: Error | null) => void;
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(String(data));
    fs.writeSync(fd, bytes, 0, Math.floor(bytes.length / 2), 0);
    process.kill(process.pid, 'SIGKILL');
    (fs as { write: unknown }).write = write;
    callback(new Error('unreachable'));
  };
}

const store = new FileProgressStore(dir);
for (let i = 1; ; i++) {
  if (i === crashAt) crashInTheMiddleOfTheNextWrite();
  const steps: Record<string, { passedBy: 'learner' | 'nestlab'; passedAt: string }> = {};
  for (let j = 0; j < 50 + (i % 7) * 300; j++)
    steps[`step-${j}`] = { passedBy: 'nestlab', passedAt: new Date(i).toISOString() };
  await store.save({
    format: 1,
    labId: 'crash-lab',
    labVersion: i,
    profile: 'sim',
    steps,
    hintsShown: {},
    savedAt: new Date().toISOString(),
  });
  process.stdout.write(`${i}\n`);
}
