/**
 * Benchmark of image handling: writing every seed image of the basics lab (answer ISOs + cidata),
 * their sizes, and the downloader's throughput against a loopback HTTP server — straight, and with
 * the connection cut twice — including the SHA-256 verification pass.
 *
 *   npx tsx test/bench/images-seeds.ts
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadLabForApp } from '../../electron/app/load-lab.ts';
import type { CatalogImage } from '../../electron/images/catalog.ts';
import { ImageStore } from '../../electron/images/image-store.ts';
import { writeMachineSeeds } from '../../electron/provision/seeds/index.ts';
import { ImageServer, sha256 } from '../support/image-server.ts';

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const work = await mkdtemp(join(tmpdir(), 'nestlab-bench-images-'));

try {
  // ---------------------------------------------------------------- seeds
  const loaded = await loadLabForApp(join(import.meta.dirname, '../../labs/proxmox-ha-basics/lab.yaml'));
  if (!loaded.ok) throw new Error('lab does not load');
  const profile = loaded.lab.profiles.find((p) => p.id === 'virtualbox-light')!;
  const seedTimes: number[] = [];
  let seeds: Awaited<ReturnType<typeof writeMachineSeeds>> = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    seeds = await writeMachineSeeds(loaded.lab, profile, join(work, `seeds-${i}`));
    seedTimes.push(performance.now() - t);
  }
  const sizes = await Promise.all(seeds.map(async (s) => `${s.machine} ${(await stat(s.path)).size} B`));
  console.log(
    `seed images (4 ISOs, virtualbox-light): median ${median(seedTimes).toFixed(1)} ms, first ${seedTimes[0]!.toFixed(1)} ms`,
  );
  console.log(`  sizes: ${sizes.join(', ')}`);
  const fatTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    seeds = await writeMachineSeeds(loaded.lab, profile, join(work, `fat-${i}`), { format: 'fat' });
    fatTimes.push(performance.now() - t);
  }
  console.log(
    `seed images (4 FAT12 images): median ${median(fatTimes).toFixed(1)} ms, ${(await stat(seeds[0]!.path)).size} B each`,
  );

  // ---------------------------------------------------------------- downloader
  const bytes = 256 * 1024 * 1024;
  const body = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4096) body.writeUInt32LE(i, i);
  const server = await new ImageServer().start();
  server.serve('/iso/big.iso', body);
  server.serve('/iso/SHA256SUMS', `${sha256(body)}  big.iso\n`);
  const image: CatalogImage = {
    id: 'big',
    title: 'Benchmark image',
    version: '1',
    fileName: 'big.iso',
    urls: [`${server.url}/iso/big.iso`],
    checksum: { kind: 'sums-file', algorithm: 'sha256', name: 'SHA256SUMS' },
    format: 'iso',
    approxBytes: bytes,
    homepage: 'https://example.invalid',
  };
  const run = async (label: string, cuts: number): Promise<void> => {
    const dataDir = await mkdtemp(join(work, 'data-'));
    for (let c = 1; c <= cuts; c++)
      server.fault('/iso/big.iso', { kind: 'cut-after', bytes: Math.floor(bytes / (cuts + 1)) });
    const store = new ImageStore({ dataDir, catalog: [image] });
    let downloadedAt = 0;
    const t = performance.now();
    await store.resolve('big', {
      onProgress: (f) => {
        if (f >= 0.9 && !downloadedAt) downloadedAt = performance.now();
      },
    });
    const total = performance.now() - t;
    const download = downloadedAt - t;
    const mib = bytes / 1024 / 1024;
    console.log(
      `${label}: ${mib} MiB in ${(total / 1000).toFixed(2)} s total — download ${(mib / (download / 1000)).toFixed(0)} MiB/s, ` +
        `SHA-256 verify ${(mib / ((total - download) / 1000)).toFixed(0)} MiB/s`,
    );
    await rm(dataDir, { recursive: true, force: true });
  };
  await run('download, one request', 0);
  await run('download, connection cut twice (resumed)', 2);
  await server.stop();
} finally {
  await rm(work, { recursive: true, force: true });
}
