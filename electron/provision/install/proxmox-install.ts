/**
 * Unattended Proxmox VE install on the STOCK ISO (appliances.md §1.5, way A): at the GRUB menu the
 * installer kernel is booted by hand with `proxmox-start-auto-installer console=ttyS0,115200`; without
 * an `auto-installer-mode.toml` on the ISO the installer opens a debug shell on the serial console, where
 * `proxmox-fetch-answer partition PROXMOX-AIS` reads the node's answer file from its seed image. The
 * answer's `reboot-mode = "power-off"` is the "done" signal; then the media are ejected, the node boots
 * from its disk and its API is reached (its certificate offered for trust on first use).
 */
import { HypervisorError } from '../../hypervisor/driver.ts';
import { openSerialConsole, type SerialConsole } from '../../hypervisor/virtualbox/serial-console.ts';
import type { FirstBootProbe, InstallContext, TrustQuestion } from './install-ports.ts';
import { waitForPowerOff } from './wait-power-off.ts';

/** Kernel and initrd paths of the PVE 9.x ISO (`/boot/linux26`, `/boot/initrd.img`), appliances.md §1.1. */
export const GRUB_BOOT_LINES = [
  'linux /boot/linux26 ro ramdisk_size=16777216 rw quiet splash=silent proxmox-start-auto-installer console=ttyS0,115200',
  'initrd /boot/initrd.img',
  'boot',
];

/** What `unconfigured.sh` prints when no fetch mode is configured; the debug shell follows. */
export const DEBUG_SHELL =
  /no config for fetching the answer file found|^\s*(?:root@[^\s]*|bash-[\d.]+)?[#$]\s*$/m;

export const FETCH_ANSWER =
  'proxmox-fetch-answer partition PROXMOX-AIS >/run/automatic-installer-answers && exit';

/** Installer failures worth stopping for (the auto-installer logs them on the console). */
const INSTALL_FAILED =
  /(?:installation (?:failed|aborted)|failed to (?:fetch|parse) (?:the )?answer[^\n]*|error: [^\n]*answer[^\n]*)/i;

export interface ProxmoxNodeInstall {
  machine: string;
  /** Management address of the node (from its answer file / the lab), without prefix. */
  address: string;
}

export interface ProxmoxInstallResult {
  machine: string;
  poweredOffAt: number;
  fingerprint: string;
  transcript: string;
}

function lastLines(text: string, count = 5): string {
  return text.trim().split(/\r?\n/).slice(-count).join(' | ');
}

/** Types the boot lines into GRUB's command line (`c` opens it from the menu). */
async function bootInstallerKernel(ctx: InstallContext, machine: string): Promise<void> {
  await ctx.clock.sleep(ctx.bootMenuDelayMs ?? 12_000, ctx.signal);
  await ctx.driver.typeOnKeyboard(machine, 'c');
  await ctx.clock.sleep(500, ctx.signal);
  for (const line of GRUB_BOOT_LINES) await ctx.driver.typeOnKeyboard(machine, `${line}\n`);
}

/** The node's API answers; its certificate goes through the trust-on-first-use question. */
async function confirmFirstBoot(
  ctx: InstallContext,
  node: ProxmoxNodeInstall,
  firstBoot: { probe: FirstBootProbe; trust: TrustQuestion },
): Promise<{ fingerprint: string }> {
  const { machine } = node;
  const { fingerprint } = await firstBoot.probe(machine, node.address, ctx.signal);
  if (!(await firstBoot.trust(machine, fingerprint, 'tls-certificate'))) {
    throw new HypervisorError(
      'failed',
      `${machine} booted, but its certificate ${fingerprint} was not confirmed; NestLab will not talk to it`,
      machine,
    );
  }
  ctx.report({
    machine,
    stage: 'first-boot',
    fraction: 1,
    message: `${machine} answers at https://${node.address}:8006`,
  });
  return { fingerprint };
}

export async function installProxmoxNode(
  ctx: InstallContext,
  node: ProxmoxNodeInstall,
  firstBoot: { probe: FirstBootProbe; trust: TrustQuestion },
): Promise<ProxmoxInstallResult> {
  const { machine } = node;
  const report = (stage: 'install' | 'first-boot', fraction: number, message: string): void =>
    ctx.report({ machine, stage, fraction, message });

  // The media are ejected only after the installer powered off: without them the install is done and
  // only the first boot is left (a build resumed after that point).
  if (!(await ctx.driver.installMediaInserted(machine))) {
    if ((await ctx.driver.machine(machine)).power === 'off')
      await ctx.driver.powerOn(machine, { signal: ctx.signal });
    const { fingerprint } = await confirmFirstBoot(ctx, node, firstBoot);
    return { machine, poweredOffAt: await ctx.driver.lastStateChange(machine), fingerprint, transcript: '' };
  }
  // An install interrupted half way starts over: the installer repartitions the disk anyway.
  if ((await ctx.driver.machine(machine)).power !== 'off') await ctx.driver.powerOff(machine);
  report('install', 0, `Starting the Proxmox VE installer on ${machine}`);
  await ctx.driver.powerOn(machine, { signal: ctx.signal });
  const console: SerialConsole = await openSerialConsole(
    machine,
    ctx.driver.consolePath(machine),
    ctx.clock,
    {
      signal: ctx.signal,
    },
  );
  let failure: string | undefined;
  let seen = 0;
  const stopWatching = console.onOutput(() => {
    const failed = INSTALL_FAILED.exec(console.transcript);
    if (failed) failure = `${failed[0]} (last console lines: ${lastLines(console.transcript)})`;
    // Each percentage the installer logs becomes a progress report, in order.
    const fresh = console.transcript.slice(seen);
    seen = console.transcript.length;
    for (const [, percent] of fresh.matchAll(/(\d{1,3}(?:\.\d+)?)\s?%/g))
      report(
        'install',
        Math.min(0.95, Number(percent) / 100),
        `Installing Proxmox VE on ${machine}: ${percent}%`,
      );
  });
  try {
    await bootInstallerKernel(ctx, machine);
    report('install', 0.05, `Booting the automated installer on ${machine}`);
    await console.waitFor(DEBUG_SHELL, { signal: ctx.signal, what: 'the installer debug shell' });
    console.write(`${FETCH_ANSWER}\n`);
    report('install', 0.1, `Answer file handed to the installer on ${machine}`);
    const { at } = await waitForPowerOff(ctx, machine, 'the Proxmox VE install', () => failure);
    report('install', 1, `Proxmox VE installed on ${machine}`);

    await ctx.driver.ejectMedia(machine);
    report('first-boot', 0, `First boot of ${machine}`);
    await ctx.driver.powerOn(machine, { signal: ctx.signal });
    const { fingerprint } = await confirmFirstBoot(ctx, node, firstBoot);
    return { machine, poweredOffAt: at, fingerprint, transcript: console.transcript };
  } finally {
    stopWatching();
    console.close();
  }
}
