import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerVbox, type VboxCliIo } from '../../../../electron/cli/commands/vbox.ts';
import { realClock } from '../../../../electron/clock/clock.ts';
import { VBoxConnection } from '../../../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import {
  startFakeVboxwebsrv,
  type FakeVboxwebsrv,
} from '../../../support/fake-vboxwebsrv/fake-vboxwebsrv.ts';
import { basicLabTopology } from './basic-lab-topology.ts';

function recordingIo(): VboxCliIo & { lines: string[]; errors: string[]; code: number } {
  const io = {
    lines: [] as string[],
    errors: [] as string[],
    code: 0,
    out: (line: string) => void io.lines.push(line),
    err: (line: string) => void io.errors.push(line),
    setExitCode: (code: number) => void (io.code = code),
  };
  return io;
}

describe('nestlab vbox', () => {
  let fake: FakeVboxwebsrv;
  let opened = 0;
  beforeAll(async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_1' });
  });
  afterAll(async () => fake.close());

  async function run(args: string[], withLoader = true) {
    const io = recordingIo();
    const program = new Command().exitOverride();
    registerVbox(program, {
      io,
      loadTopology: withLoader
        ? async (lab) => {
            if (lab !== 'basic') throw new Error(`no lab named "${lab}" in labs/`);
            return basicLabTopology('');
          }
        : undefined,
      openBackend: async () => {
        opened += 1;
        const connection = await VBoxConnection.open(
          { url: fake.url, username: 'nestlab', password: 'secret' },
          realClock,
        );
        const driver = new VirtualBoxDriver({
          connection,
          clock: realClock,
          runDir: '/tmp/nestlab',
          platform: 'linux',
        });
        return { driver, close: () => driver.close() };
      },
    });
    await program.parseAsync(['node', 'nestlab', 'vbox', ...args]);
    return io;
  }

  it('brings the lab up, starts it and shows a table', async () => {
    const io = await run(['up', 'basic', '--start']);
    expect(io.code).toBe(0);
    expect(io.lines[0]).toBe('VirtualBox 7.1.12 (API 7.1)');
    expect(io.lines).toContain('  Machine pve2');
    expect(io.lines).toContain('MACHINE  KIND  POWER    CABLE  ADDRESSES');
    expect(io.lines).toContain('pve1     pve   running  in     192.168.56.11');
  });

  it('shows the status and checkpoints of an existing lab', async () => {
    const io = await run(['status', 'basic']);
    expect(io.lines).toContain('nas      nfs   running  in     192.168.56.20');
    expect(io.lines.at(-1)).toBe('Checkpoints: none');
  });

  it('refuses to delete without --yes, then deletes with it', async () => {
    const refused = await run(['down', 'basic']);
    expect(refused.code).toBe(1);
    expect(refused.errors[0]).toMatch(/run it again with --yes/);
    expect(fake.world.machines).toHaveLength(4);
    const io = await run(['down', 'basic', '--yes']);
    expect(io.lines.at(-1)).toBe('Lab basic removed from VirtualBox.');
    expect(fake.world.machines).toEqual([]);
  });

  it('explains a missing lab loader or lab in one line without starting VirtualBox', async () => {
    const before = opened;
    const noLoader = await run(['status', 'basic'], false);
    expect(noLoader.errors).toEqual([
      'nestlab vbox: cannot find the machines of lab "basic": the lab-file loader is not connected to `nestlab vbox` yet',
    ]);
    expect(noLoader.code).toBe(1);
    const unknown = await run(['up', 'nope']);
    expect(unknown.errors).toEqual(['nestlab vbox: no lab named "nope" in labs/']);
    expect(opened).toBe(before);
  });
});
