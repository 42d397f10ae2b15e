/**
 * The NAS. Light profile: the Debian cloud image was copied into its disk and its NoCloud `cidata` seed
 * attached by realise, with a NAT adapter for the packages; first boot runs cloud-init (which installs
 * nfs-kernel-server and exports the share), and cloud-init's final message on the serial console says
 * it is done. TrueNAS profile: the installer ISO boots by itself; the images engineer's client drives
 * the installer API, the live system powers off, the ISO is ejected and the middleware is configured.
 */
import { HypervisorError } from '../../hypervisor/driver.ts';
import { openSerialConsole } from '../../hypervisor/virtualbox/serial-console.ts';
import type { InstallContext, TrueNasProvisioner } from './install-ports.ts';
import { waitForPowerOff } from './wait-power-off.ts';

/** cloud-init's default `final_message` (cc_final_message): "Cloud-init v. 24.4 finished at …". */
export const CLOUD_INIT_FINISHED = /Cloud-init v\. \S+ finished at/;
const CLOUD_INIT_FAILED = /(?:Failed to run module|Cloud-init v\. \S+ (?:failed|ERROR))[^\n]*/;

export async function provisionLightNas(
  ctx: InstallContext,
  machine: string,
): Promise<{ transcript: string }> {
  ctx.report({
    machine,
    stage: 'nas',
    fraction: 0,
    message: `First boot of ${machine} (cloud-init installs the NFS server)`,
  });
  await ctx.driver.powerOn(machine, { signal: ctx.signal });
  const console = await openSerialConsole(machine, ctx.driver.consolePath(machine), ctx.clock, {
    signal: ctx.signal,
  });
  try {
    const finished = console.waitFor(CLOUD_INIT_FINISHED, {
      signal: ctx.signal,
      what: "cloud-init's final message",
    });
    const failed = console.waitFor(CLOUD_INIT_FAILED, { signal: ctx.signal }).then((m) => {
      throw new HypervisorError('failed', `cloud-init on ${machine} failed: ${m[0]}`, machine);
    });
    await Promise.race([finished, failed]);
    failed.catch(() => undefined);
    ctx.report({ machine, stage: 'nas', fraction: 1, message: `${machine} serves NFS` });
    return { transcript: console.transcript };
  } finally {
    console.close();
  }
}

/** Waits until VirtualBox's DHCP server has leased the installer an address (it runs DHCP on every NIC). */
async function leasedAddress(
  ctx: InstallContext,
  machine: string,
  staticAddresses: Set<string>,
): Promise<string> {
  const deadline = ctx.clock.now() + 10 * 60_000;
  for (;;) {
    const leased = (await ctx.driver.guestAddresses(machine)).find((a) => !staticAddresses.has(a));
    if (leased) return leased;
    if (ctx.clock.now() >= deadline)
      throw new HypervisorError(
        'failed',
        `the TrueNAS installer on ${machine} got no DHCP lease within 10 min`,
        machine,
      );
    await ctx.clock.sleep(ctx.pollMs ?? 2_000, ctx.signal);
  }
}

export async function provisionTrueNas(
  ctx: InstallContext,
  machine: string,
  address: string,
  truenas: TrueNasProvisioner,
): Promise<void> {
  ctx.report({ machine, stage: 'nas', fraction: 0, message: `Booting the TrueNAS installer on ${machine}` });
  if ((await ctx.driver.machine(machine)).power !== 'off') await ctx.driver.powerOff(machine);
  await ctx.driver.powerOn(machine, { signal: ctx.signal });
  const installerAddress = await leasedAddress(ctx, machine, new Set([address]));
  ctx.report({
    machine,
    stage: 'nas',
    fraction: 0.2,
    message: `Installing TrueNAS on ${machine} (${installerAddress})`,
  });
  await truenas.install({ machine, address: installerAddress, signal: ctx.signal });
  await waitForPowerOff(ctx, machine, 'the TrueNAS install');
  await ctx.driver.ejectMedia(machine);
  ctx.report({ machine, stage: 'nas', fraction: 0.7, message: `Configuring the NFS share on ${machine}` });
  await ctx.driver.powerOn(machine, { signal: ctx.signal });
  await truenas.configure({ machine, address, signal: ctx.signal });
  ctx.report({ machine, stage: 'nas', fraction: 1, message: `${machine} serves NFS` });
}
