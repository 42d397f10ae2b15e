/**
 * `nestlab images list | fetch <id> | verify [id] | import <id> FILE`: the image cache from the
 * command line. Errors are one line naming the image, URL or file; exit code 1.
 */
import type { Command } from 'commander';

import { ImageError } from '../../images/image-error.ts';
import type { ImageStore } from '../../images/image-store.ts';

export interface ImagesCliIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
}

export interface ImagesCliDeps {
  openStore: () => Promise<ImageStore>;
  io: ImagesCliIo;
}

const processIo: ImagesCliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

async function openDefaultStore(): Promise<ImageStore> {
  const { createImageResolver } = await import('../../images/default-image-store.ts');
  return createImageResolver();
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} B`;
}

/** Prints "  42%" lines every 5 %, so a log or a pipe gets a readable trace. */
function percentPrinter(io: ImagesCliIo, label: string): (fraction: number) => void {
  let shown = -1;
  return (fraction) => {
    const step = Math.floor((fraction * 100) / 5) * 5;
    if (step > shown) {
      shown = step;
      io.err(`  ${label} ${String(step).padStart(3)}%`);
    }
  };
}

export function registerImages(program: Command, deps: Partial<ImagesCliDeps> = {}): void {
  const io = deps.io ?? processIo;
  const openStore = deps.openStore ?? openDefaultStore;

  const run = async (work: (store: ImageStore) => Promise<void>): Promise<void> => {
    try {
      await work(await openStore());
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
      io.err(`nestlab images: ${error.message}`);
      io.setExitCode(1);
    }
  };

  const images = program
    .command('images')
    .description('Download, import and verify the installer and disk images the VirtualBox labs use');

  images
    .command('list')
    .description('Show the catalog and what is in the cache')
    .action(() =>
      run(async (store) => {
        const rows = (await store.list()).map((s) => [
          s.image.id,
          s.image.version,
          s.cached
            ? `cached ${formatBytes(s.cached.bytes)}`
            : s.partialBytes
              ? `partial ${formatBytes(s.partialBytes)}`
              : '-',
          s.cached?.path ?? s.image.urls[0]!,
        ]);
        const header = ['ID', 'VERSION', 'CACHE', 'FILE OR URL'];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        for (const row of [header, ...rows]) {
          io.out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
        }
        io.out(`Cache: ${store.cache.root}`);
      }),
    );

  images
    .command('fetch <id>')
    .description('Download an image (resuming an interrupted download) and verify its checksum')
    .action((id: string) =>
      run(async (store) => {
        const image = store.image(id);
        io.out(`Fetching ${image.title} (${image.fileName})`);
        const controller = new AbortController();
        const cancel = (): void => controller.abort();
        process.once('SIGINT', cancel);
        try {
          const path = await store.resolve(id, {
            signal: controller.signal,
            onProgress: percentPrinter(io, image.fileName),
          });
          io.out(`${id}: verified, ${path}`);
        } finally {
          process.off('SIGINT', cancel);
        }
      }),
    );

  images
    .command('verify [id]')
    .description('Re-read cached images and check them against their published checksums')
    .action((id: string | undefined) =>
      run(async (store) => {
        const results = await store.verify(id);
        if (results.length === 0) io.out('No images in the cache yet.');
        for (const result of results) {
          if (result.ok) io.out(`${result.id}: OK ${result.path}`);
          else {
            io.err(`${result.id}: FAILED ${result.problem}`);
            io.setExitCode(1);
          }
        }
      }),
    );

  images
    .command('import <id> <file>')
    .description('Use a file you already have: verify it like a download and add it to the cache')
    .option(
      '--checksums <file>',
      "a local copy of the project's checksum file (for computers without internet)",
    )
    .action((id: string, file: string, options: { checksums?: string }) =>
      run(async (store) => {
        const path = await store.importFile(id, file, {
          ...(options.checksums ? { checksumsFile: options.checksums } : {}),
          onProgress: percentPrinter(io, 'verifying'),
        });
        io.out(`${id}: verified and imported, ${path}`);
      }),
    );
}
