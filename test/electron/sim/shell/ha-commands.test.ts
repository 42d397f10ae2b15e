import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';
import type { ShellSession } from '../../../../electron/sim/shell/shell-session.ts';

let dc: SimDatacenter;
let shell: ShellSession;

beforeAll(async () => {
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    initial: { kind: 'cluster' },
    clockMode: { kind: 'fast' },
    rootPassword: 'pw',
  });
  shell = dc.openShell('node1');
  expect((await shell.run('qm create 100 --name web --memory 256 --scsi0 nas:1')).exitCode).toBe(0);
  expect((await shell.run('qm create 101 --name db --memory 256 --scsi0 nas:1')).exitCode).toBe(0);
});
afterAll(async () => {
  await dc.close();
});

async function settle(seconds = 60): Promise<void> {
  await dc.clock.sleep(seconds * 1000);
}

describe('qm and ha-manager on a formed cluster', () => {
  it('starts, shuts down and migrates an unmanaged VM', async () => {
    expect((await shell.run('qm start 101')).exitCode).toBe(0);
    expect((await shell.run('qm status 101')).output).toBe('status: running\n');
    expect((await shell.run('qm shutdown 101')).exitCode).toBe(0);
    expect((await shell.run('qm status 101')).output).toBe('status: stopped\n');
    expect((await shell.run('qm migrate 101 node2')).exitCode).toBe(0);
    expect(dc.world.guestLocation(101)?.node).toBe('node2');
    const remote = dc.openShell('node2');
    expect((await remote.run('qm list')).output).toMatch(/\n {7}101 db /);
    expect((await shell.run('qm status 101')).output).toBe(
      "Configuration file 'nodes/node1/qemu-server/101.conf' does not exist\n",
    );
  });

  it('changes and destroys a VM', async () => {
    expect((await shell.run('qm create 102 --memory 128')).exitCode).toBe(0);
    expect(await shell.run('qm set 102 --name scratch --onboot 1')).toEqual({ output: '', exitCode: 0 });
    const config = (await shell.run('qm config 102')).output;
    expect(config).toContain('name: scratch\n');
    expect(config).toContain('onboot: 1\n');
    expect((await shell.run('qm destroy 102')).exitCode).toBe(0);
    expect((await shell.run('qm status 102')).output).toBe(
      "Configuration file 'nodes/node1/qemu-server/102.conf' does not exist\n",
    );
  });

  it('manages a VM with HA: add, set, migrate, relocate, remove', async () => {
    expect(await shell.run('ha-manager add vm:100 --max_restart 2')).toEqual({ output: '', exitCode: 0 });
    await settle();
    expect(dc.world.guestLocation(100)).toEqual({ node: 'node1', running: true });
    expect((await shell.run('ha-manager config')).output).toMatch(/^vm:100\n(\t\S+ \S+\n)*\tmax_restart 2\n/);
    expect((await shell.run('ha-manager status')).output).toMatch(/\nservice vm:100 \(node1, started\)\n/);

    expect((await shell.run('ha-manager set vm:100 --state stopped')).exitCode).toBe(0);
    await settle();
    expect(dc.world.guestLocation(100)?.running).toBe(false);
    expect((await shell.run('ha-manager set vm:100 --state started')).exitCode).toBe(0);
    await settle();

    expect((await shell.run('ha-manager migrate vm:100 node3')).exitCode).toBe(0);
    await settle();
    expect(dc.world.guestLocation(100)).toEqual({ node: 'node3', running: true });
    expect((await shell.run('ha-manager relocate vm:100 node2')).exitCode).toBe(0);
    await settle();
    expect(dc.world.guestLocation(100)).toEqual({ node: 'node2', running: true });

    const badState = await shell.run('ha-manager set vm:100 --state up');
    expect(badState.output).toBe(
      "400 Parameter verification failed.\nstate: value 'up' does not have a value in the enumeration 'started, stopped, enabled, disabled, ignored'\nha-manager set <sid> [OPTIONS]\n",
    );
    expect((await shell.run('ha-manager remove vm:100')).exitCode).toBe(0);
    expect((await shell.run('ha-manager status')).output).not.toContain('vm:100');
  });

  it('manages node-affinity rules (PVE 9)', async () => {
    expect(await shell.run('ha-manager add vm:101 --state stopped')).toEqual({ output: '', exitCode: 0 });
    expect(
      (
        await shell.run(
          'ha-manager rules add node-affinity prefer2 --resources vm:101 --nodes node2:2,node3:1',
        )
      ).exitCode,
    ).toBe(0);
    expect((await shell.run('ha-manager rules config')).output).toBe(
      'node-affinity: prefer2\n\tnodes node2:2,node3:1\n\tresources vm:101\n\tstrict 0\n\n',
    );
    expect((await shell.run('ha-manager rules set node-affinity prefer2 --strict 1')).exitCode).toBe(0);
    expect((await shell.run('ha-manager rules config')).output).toContain('\tstrict 1\n');
    expect((await shell.run('ha-manager rules remove prefer2')).exitCode).toBe(0);
    expect((await shell.run('ha-manager rules config')).output).toBe('');
    expect((await shell.run('ha-manager groupadd g1 --nodes node2')).output).toBe(
      'cannot create group: ha groups have been migrated to rules\n',
    );
  });

  it('puts a node into maintenance and back', async () => {
    expect(await shell.run('ha-manager crm-command node-maintenance enable node3')).toEqual({
      output: '',
      exitCode: 0,
    });
    await settle(30);
    expect((await shell.run('ha-manager status')).output).toMatch(/\nlrm node3 \(maintenance mode/);
    expect((await shell.run('ha-manager crm-command node-maintenance disable node3')).exitCode).toBe(0);
    await settle(30);
    expect((await shell.run('ha-manager status')).output).not.toMatch(/maintenance mode/);
    expect((await shell.run('ha-manager crm-command node-maintenance enable node9')).output).toBe(
      "400 Parameter verification failed.\nnode: no such cluster node 'node9'\nha-manager crm-command node-maintenance enable <node>\n",
    );
    expect((await shell.run('ha-manager crm-command node-maintenance')).output).toMatch(
      /^ERROR: unknown command 'ha-manager crm-command node-maintenance'\n/,
    );
  });
});
