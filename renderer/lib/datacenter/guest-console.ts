/**
 * The simulated guest's screen, honestly: the simulator runs no guest OS, so this is what the
 * simulated Tiny Core prints for the time it has been up (its boot takes 25 s in the model) —
 * a boot log, then a prompt that answers. Pure, so a test pins what a learner sees.
 */
const BOOT: { at: number; line: string }[] = [
  { at: 0, line: 'SeaBIOS (version rel-1.16.3-0-ga6ed6b701f0a-prebuilt.qemu.org)' },
  { at: 1, line: 'Booting from DVD/CD...' },
  { at: 2, line: 'ISOLINUX 6.04  Copyright (C) 1994-2015 H. Peter Anvin et al' },
  { at: 3, line: 'boot: ' },
  { at: 5, line: 'Loading vmlinuz... ok' },
  { at: 6, line: 'Loading core.gz... ok' },
  { at: 8, line: 'Linux version 6.12.11-tinycore (tc@box) #1 SMP' },
  { at: 10, line: 'Booting Core 17.1' },
  { at: 12, line: 'Running Linux Kernel 6.12.11-tinycore.' },
  { at: 14, line: 'Checking boot options... Done.' },
  { at: 17, line: 'Starting udev daemon for hotplug support... Done.' },
  { at: 20, line: 'Scanning hard disk partitions to create /etc/fstab' },
  { at: 22, line: 'Setting Language to C Done.' },
  { at: 23, line: 'Possible swap partition(s) enabled.' },
  { at: 24, line: 'Loading extensions... Done.' },
];
const BOOTED_AT = 25;
const PROMPT = 'tc@box:~$ ';

export interface ConsoleScreen {
  lines: string[];
  /** The guest has finished booting and shows its prompt. */
  answering: boolean;
}

export function guestConsoleScreen(
  status: string | undefined,
  uptimeSeconds: number | undefined,
  name: string,
): ConsoleScreen {
  if (status !== 'running') return { lines: [], answering: false };
  const up = uptimeSeconds ?? 0;
  const lines = BOOT.filter((b) => b.at <= up).map((b) => b.line);
  if (up < BOOTED_AT) return { lines, answering: false };
  return {
    lines: [
      ...lines,
      '',
      `     ( '>')`,
      `    /) TC (\\   Core is distributed with ABSOLUTELY NO WARRANTY.`,
      `   (/-_--_-\\)           www.tinycorelinux.net`,
      '',
      `${name ? `[${name}] ` : ''}${PROMPT}`,
    ],
    answering: true,
  };
}
