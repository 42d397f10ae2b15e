/** HostFacts of the computer we run on: real OS calls plugged into the injected host probe. */
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { realClock } from '../../clock/clock.ts';
import { readHostCpuVirtualization } from '../virtualbox/host-capabilities.ts';
import { findLocalVirtualBox, runProgram, startLocalVirtualBox } from '../virtualbox/local-virtualbox.ts';
import type { HostFacts, WebServiceFacts } from './host-facts.ts';
import { probeHost } from './host-probe.ts';

async function checkWebService(): Promise<WebServiceFacts> {
  const local = await startLocalVirtualBox({ clock: realClock });
  try {
    const cpu = await readHostCpuVirtualization(local.connection);
    return { reachable: true, version: local.connection.version, apiVersion: local.connection.flavor, cpu };
  } finally {
    await local.close();
  }
}

export async function gatherLocalHostFacts(options: { webService: boolean }): Promise<HostFacts> {
  const install = await findLocalVirtualBox();
  return probeHost({
    platform: process.platform,
    arch: process.arch,
    release: os.release(),
    cpuModel: os.cpus()[0]?.model ?? '',
    totalMiB: Math.round(os.totalmem() / 1024 ** 2),
    freeMiB: Math.round(os.freemem() / 1024 ** 2),
    // VirtualBox's default machine folder lives in the home folder.
    diskPath: os.homedir(),
    freeDiskMiB: async (path) => {
      const info = await statfs(path).catch(() => undefined);
      return info ? Math.round((info.bavail * info.bsize) / 1024 ** 2) : undefined;
    },
    readTextFile: (path) => readFile(path, 'utf8').catch(() => undefined),
    run: (command, args) => runProgram(command, args, 20_000).catch(() => undefined),
    locate: () => install,
    checkWebService: options.webService ? () => checkWebService() : undefined,
  });
}
