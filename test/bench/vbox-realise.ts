/**
 * SOAP traffic NestLab itself causes when it realises the basic lab (3 Proxmox VE nodes + the light NAS)
 * in VirtualBox, measured against the fake vboxwebsrv: calls, bytes each way, retries, wall time for a
 * first realise and for a second (idempotent) one, and the calls of a whole unattended build with
 * scripted installers. VirtualBox's own work (disk writes, installs) is not in these numbers.
 *
 *   npx tsx test/bench/vbox-realise.ts
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadLabForApp } from '../../electron/app/load-lab.ts';
import { topologySpecFor } from '../../electron/backends/lab-topology.ts';
import { realClock } from '../../electron/clock/clock.ts';
import { VBoxConnection } from '../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import type { ImageResolver } from '../../electron/images/resolver.ts';
import { buildLab } from '../../electron/provision/install/build-lab.ts';
import type { MachineSeed } from '../../electron/provision/install/install-ports.ts';
import { startFakeVboxwebsrv } from '../support/fake-vboxwebsrv/fake-vboxwebsrv.ts';

const LAB = 'proxmox-ha-basics';
const dir = await mkdtemp(path.join(os.tmpdir(), 'nestlab-bench-vbox-'));
await writeFile(path.join(dir, 'pve.iso'), 'iso');
await writeFile(path.join(dir, 'debian.raw'), Buffer.alloc(1024 * 1024));
await writeFile(path.join(dir, 'core.iso'), 'iso');
const files: Record<string, string> = {
  'proxmox-ve-9-1': 'pve.iso',
  'debian-13-nfs': 'debian.raw',
  'tinycore-core-17': 'core.iso',
};
const images: ImageResolver = { resolve: async (id) => path.join(dir, files[id] ?? 'missing') };

const loaded = await loadLabForApp(path.resolve('labs', LAB, 'lab.yaml'));
if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
const profile = loaded.lab.profiles.find((p) => p.id === 'virtualbox-light')!;
const topology = topologySpecFor(loaded.lab, profile);

const installer = {
  steps: [
    { whenTyped: 'boot\n', output: 'no config for fetching the answer file found!\r\n# ' },
    { whenSerial: 'PROXMOX-AIS', output: 'progress 100%\r\n', powerOff: true },
  ],
};
const fake = await startFakeVboxwebsrv({
  apiVersion: '7_1',
  serialScripts: {
    [`${LAB}-pve1`]: installer,
    [`${LAB}-pve2`]: installer,
    [`${LAB}-pve3`]: installer,
    [`${LAB}-nas`]: { steps: [{ output: 'Cloud-init v. 24.4 finished at now\r\n' }] },
  },
});
const connection = await VBoxConnection.open(
  { url: fake.url, username: 'nestlab', password: 'secret' },
  realClock,
);
const driver = new VirtualBoxDriver({ connection, clock: realClock, runDir: dir, platform: 'linux', images });

function measure(): () => { calls: number; sent: number; received: number; retries: number } {
  const start = { calls: connection.traffic.calls, retries: connection.traffic.retries, ...fake.bytes };
  return () => ({
    calls: connection.traffic.calls - start.calls,
    retries: connection.traffic.retries - start.retries,
    sent: fake.bytes.requests - start.requests,
    received: fake.bytes.responses - start.responses,
  });
}
const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

try {
  let m = measure();
  let t = performance.now();
  await driver.realise(topology);
  const first = { ...m(), ms: performance.now() - t };
  m = measure();
  t = performance.now();
  await driver.realise(topology);
  const again = { ...m(), ms: performance.now() - t };
  m = measure();
  t = performance.now();
  await buildLab(
    {
      driver,
      clock: realClock,
      images,
      seedDir: dir,
      pollMs: 50,
      bootMenuDelayMs: 0,
      writeSeeds: async (_l, p, out): Promise<MachineSeed[]> =>
        Promise.all(
          p.machines.map(async (machine) => {
            const file = path.join(out, `${machine.name}.seed.iso`);
            await writeFile(file, 'seed');
            return {
              machine: machine.name,
              kind: machine.kind === 'pve' ? 'proxmox-answer' : 'cidata',
              path: file,
              format: 'iso',
            } as MachineSeed;
          }),
        ),
      firstBoot: { probe: async () => ({ fingerprint: 'AA' }), trust: async () => true },
    },
    loaded.lab,
    profile,
    topology,
  );
  const build = { ...m(), ms: performance.now() - t };
  const row = (what: string, r: typeof first): string =>
    `${what.padEnd(44)} ${String(r.calls).padStart(5)} calls  ${kib(r.sent).padStart(10)} sent  ${kib(r.received).padStart(10)} received  ${r.retries} retries  ${r.ms.toFixed(0)} ms`;
  console.log(row('realise basic lab (light), first time', first));
  console.log(row('realise again (nothing to change)', again));
  console.log(row('build: seeds, installs, NAS, checkpoints', build));
  console.log(`WSDL parse + logon happen once per connection (${connection.wsdl}).`);
} finally {
  await driver.close();
  await fake.close();
}
