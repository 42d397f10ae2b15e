/**
 * Is this a folder NestLab can keep its data in? A real, writable directory on a normal file
 * system, checked with a bounded amount of work: `mkdir -p` inside /proc never finishes (it keeps
 * a core busy), so missing levels are made one by one under an ancestor that was checked first,
 * and the whole check has a deadline.
 */
import { constants } from 'node:fs';
import { access, lstat, mkdir, rm, statfs, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** Kernel and device file systems (statfs magic numbers): never a place for data files. */
const VIRTUAL_FILE_SYSTEMS = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1cd1, // devpts
  0x64626720, // debugfs
  0x73636673, // securityfs
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x6165676c, // pstore
  0x62656570, // configfs
  0x74726163, // tracefs
  0xcafe4a11, // bpf
]);
const VIRTUAL_ROOTS = ['/proc', '/sys', '/dev'];
const MAX_NEW_LEVELS = 8;
const DEADLINE_MS = 5000;

async function check(dir: string): Promise<string | null> {
  const target = resolve(dir);
  if (
    process.platform !== 'win32' &&
    VIRTUAL_ROOTS.some((root) => target === root || target.startsWith(`${root}/`))
  ) {
    return `${target} is inside ${VIRTUAL_ROOTS.find((root) => target === root || target.startsWith(`${root}/`))}, a system folder, not a place for files`;
  }
  // The nearest existing ancestor, and the levels to make under it.
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    const info = await lstat(existing).catch((e: NodeJS.ErrnoException) =>
      e.code === 'ENOENT' ? undefined : Promise.reject(e),
    );
    if (info) {
      if (!info.isDirectory() && !(info.isSymbolicLink() && existing !== target)) {
        return `${existing} is not a folder`;
      }
      break;
    }
    missing.unshift(existing);
    if (missing.length > MAX_NEW_LEVELS) return `${target} is more than ${MAX_NEW_LEVELS} new folders deep`;
    const parent = dirname(existing);
    if (parent === existing) return `${target} has no existing parent folder`;
    existing = parent;
  }
  if (process.platform === 'linux') {
    const fs = await statfs(existing);
    if (VIRTUAL_FILE_SYSTEMS.has(Number(fs.type)))
      return `${existing} is on a system file system, not a place for files`;
  }
  await access(existing, constants.W_OK | constants.X_OK).catch(() => {
    throw new Error(`${existing} is not writable`);
  });
  for (const level of missing) await mkdir(level);
  const info = await lstat(target);
  if (!info.isDirectory()) return `${target} is not a folder`;
  // The proof: a file can be written and removed there.
  const probe = join(target, `.nestlab-write-test-${process.pid}`);
  await writeFile(probe, 'ok');
  await rm(probe, { force: true });
  return null;
}

/** null when `dir` can hold NestLab's data; otherwise why not (one sentence, naming the folder). */
export async function dataFolderProblem(dir: string, deadlineMs = DEADLINE_MS): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((done) => {
    timer = setTimeout(
      () => done(`${resolve(dir)} did not answer within ${deadlineMs / 1000} s`),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([
      check(dir).catch((error: unknown) => {
        const e = error as NodeJS.ErrnoException;
        return e.code ? `${resolve(dir)} cannot be used (${e.code})` : (e.message ?? String(error));
      }),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
