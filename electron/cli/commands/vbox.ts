/**
 * `nestlab vbox up|status|down <lab>`: realise a lab's machines in VirtualBox, show them, remove them.
 * The topology comes from a provider (the lab-file loader, wired by whoever owns it); the backend is
 * the local VirtualBox started on demand. Both are injectable, so tests run it against the fake server.
 */
import type { Command } from 'commander';

import { registerVboxSeed } from './vbox-seed.ts';
import type { MachineInfo, TopologySpec } from '../../hypervisor/driver.ts';
import { HypervisorError } from '../../hypervisor/driver.ts';
import type { VirtualBoxDriver } from '../../hypervisor/virtualbox/virtualbox-driver.ts';
import { runSelftest, type SelftestDriver } from '../../hypervisor/virtualbox/selftest.ts';
import { realClock, type Clock } from '../../clock/clock.ts';
import { operationOptionsFor, TaskService } from '../../lab/task-service.ts';

export type TopologyProvider = (lab: string) => Promise<TopologySpec>;

export interface VboxBackend {
  driver: SelftestDriver &
    Pick<
      VirtualBoxDriver,
      | 'realise'
      | 'attach'
      | 'listMachines'
      | 'listCheckpoints'
      | 'powerOn'
      | 'destroy'
      | 'apiFlavor'
      | 'serverVersion'
    > & { readonly versionWarning?: string };
  close(): Promise<void>;
}

export interface VboxCliIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
}

export interface VboxCliDeps {
  /** Lab name → topology. Until the lab loader is wired in, `vbox` says so instead of guessing. */
  loadTopology?: TopologyProvider;
  openBackend: () => Promise<VboxBackend>;
  io: VboxCliIo;
  clock?: Clock;
}

const processIo: VboxCliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

async function openLocalBackend(): Promise<VboxBackend> {
  const { startLocalVirtualBox } = await import('../../hypervisor/virtualbox/local-virtualbox.ts');
  const { createImageResolver } = await import('../../images/default-image-store.ts');
  // Lab images are catalog ids: the image cache resolves (and verifies) them to files.
  const local = await startLocalVirtualBox({ images: createImageResolver() });
  return { driver: local.driver, close: local.close };
}

export function formatMachines(machines: MachineInfo[]): string[] {
  const rows = machines.map((m) => [
    m.name,
    m.kind,
    m.power,
    m.power === 'absent' ? '-' : m.cableConnected ? 'in' : 'OUT',
    m.addresses.join(', ') || '-',
  ]);
  const header = ['MACHINE', 'KIND', 'POWER', 'CABLE', 'ADDRESSES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

export function registerVbox(program: Command, deps: Partial<VboxCliDeps> = {}): void {
  const io = deps.io ?? processIo;
  const openBackend = deps.openBackend ?? openLocalBackend;

  const fail = (error: unknown): void => {
    if (!(error instanceof Error)) throw error;
    io.err(`nestlab vbox: ${error.message}`);
    io.setExitCode(1);
  };

  /** Runs one subcommand with an open backend; user errors are one line, never a stack trace. */
  const withBackend = async (work: (backend: VboxBackend) => Promise<void>): Promise<void> => {
    try {
      const backend = await openBackend();
      try {
        io.out(`VirtualBox ${backend.driver.serverVersion} (API ${backend.driver.apiFlavor})`);
        if (backend.driver.versionWarning) io.err(`nestlab vbox: warning: ${backend.driver.versionWarning}`);
        await work(backend);
      } finally {
        await backend.close();
      }
    } catch (error) {
      if (!(error instanceof HypervisorError)) throw error;
      fail(error);
    }
  };

  /** Loads the lab's topology first, so a missing lab never starts VirtualBox's web service. */
  const withLab = async (
    lab: string,
    work: (topology: TopologySpec, backend: VboxBackend) => Promise<void>,
  ): Promise<void> => {
    let topology: TopologySpec;
    try {
      if (!deps.loadTopology) {
        throw new HypervisorError(
          'unsupported',
          `cannot find the machines of lab "${lab}": the lab-file loader is not connected to \`nestlab vbox\` yet`,
        );
      }
      topology = await deps.loadTopology(lab);
    } catch (error) {
      fail(error);
      return;
    }
    await withBackend((backend) => work(topology, backend));
  };

  const vbox = program
    .command('vbox')
    .description("Realise, inspect and remove a lab's machines in VirtualBox");
  registerVboxSeed(vbox);

  vbox
    .command('up <lab>')
    .description("Create or update the lab's network and machines (idempotent)")
    .option('--start', 'also start every machine (headless)')
    .action((lab: string, options: { start?: boolean }) =>
      withLab(lab, async (topology, { driver }) => {
        let last = '';
        // The same task service the app shows in its tray; here each new message is a line.
        const tasks = new TaskService((task) => {
          if (task.state === 'running' && task.message && task.message !== last)
            io.out(`  ${(last = task.message)}`);
        });
        await tasks.withTask(`Realising ${topology.lab} in VirtualBox`, (task) =>
          driver.realise(topology, operationOptionsFor(task)),
        );
        if (options.start) {
          for (const machine of topology.machines) {
            io.out(`  Starting ${machine.name}`);
            await driver.powerOn(machine.name);
          }
        }
        for (const line of formatMachines(await driver.listMachines())) io.out(line);
      }),
    );

  vbox
    .command('status <lab>')
    .description("Show the lab's machines, their power, cable and addresses, and its checkpoints")
    .action((lab: string) =>
      withLab(lab, async (topology, { driver }) => {
        await driver.attach(topology);
        const machines = await driver.listMachines();
        for (const line of formatMachines(machines)) io.out(line);
        if (machines.every((m) => m.power === 'absent')) {
          io.out(`Lab ${lab} has no machines in VirtualBox yet: run \`nestlab vbox up ${lab}\`.`);
          return;
        }
        const checkpoints = await driver.listCheckpoints();
        io.out(
          checkpoints.length
            ? `Checkpoints: ${checkpoints.map((c) => c.name).join(', ')}`
            : 'Checkpoints: none',
        );
      }),
    );

  vbox
    .command('selftest')
    .description(
      'Try every VirtualBox step the lab build needs on a throw-away VM and print a report to paste into a bug report',
    )
    .option('--cidr <cidr>', 'host-only network to test with', '192.168.56.1/24')
    .action((options: { cidr: string }) =>
      withBackend(async ({ driver }) => {
        const report = await runSelftest(driver, deps.clock ?? realClock, { cidr: options.cidr });
        for (const line of report.text.split('\n')) io.out(line);
        if (!report.ok) io.setExitCode(1);
      }),
    );

  vbox
    .command('down <lab>')
    .description("Power off and delete the lab's machines and their disks (asks for --yes)")
    .option('--yes', 'really delete them')
    .action(async (lab: string, options: { yes?: boolean }) => {
      if (!options.yes) {
        io.err(
          `nestlab vbox: this deletes every machine and disk of lab "${lab}"; run it again with --yes to go ahead`,
        );
        io.setExitCode(1);
        return;
      }
      await withBackend(async ({ driver }) => {
        await driver.destroy(lab, {
          confirm: true,
          progress: { report: ({ message }) => io.out(`  ${message}`) },
        });
        io.out(`Lab ${lab} removed from VirtualBox.`);
      });
    });
}
