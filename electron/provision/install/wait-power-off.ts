/**
 * Waiting for a guest to power itself off — the "done" signal of an installer with
 * `reboot-mode = "power-off"` — with a deadline, a cancel signal and the moment it happened.
 */
import { HypervisorError } from '../../hypervisor/driver.ts';
import type { InstallContext } from './install-ports.ts';

export async function waitForPowerOff(
  ctx: InstallContext,
  machine: string,
  what: string,
  failure?: () => string | undefined,
): Promise<{ at: number }> {
  const deadline = ctx.clock.now() + (ctx.installTimeoutMs ?? 45 * 60_000);
  for (;;) {
    const problem = failure?.();
    if (problem) throw new HypervisorError('failed', `${what} on ${machine} failed: ${problem}`, machine);
    const { power } = await ctx.driver.machine(machine);
    if (power === 'off') return { at: await ctx.driver.lastStateChange(machine) };
    if (power === 'error' || power === 'absent')
      throw new HypervisorError('failed', `${what} on ${machine}: the machine is ${power}`, machine);
    if (ctx.clock.now() >= deadline)
      throw new HypervisorError(
        'failed',
        `${what} on ${machine} did not finish within ${Math.round((ctx.installTimeoutMs ?? 45 * 60_000) / 60_000)} min`,
        machine,
      );
    await ctx.clock.sleep(ctx.pollMs ?? 2_000, ctx.signal);
  }
}
