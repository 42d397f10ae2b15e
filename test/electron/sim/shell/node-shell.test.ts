import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';
import type { ShellSession } from '../../../../electron/sim/shell/shell-session.ts';

let dc: SimDatacenter;
let node1: ShellSession;
let node2: ShellSession;

beforeAll(async () => {
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    rootPassword: 'labpass',
    clockMode: { kind: 'fast' },
  });
  node1 = dc.openShell('node1');
  node2 = dc.openShell('node2');
});
afterAll(async () => {
  await dc.close();
});

describe('simulated shell on a datacenter', () => {
  it('knows basic commands and reports unknown ones like bash', async () => {
    expect(await node1.run('hostname')).toEqual({ output: 'node1\n', exitCode: 0 });
    const ip = await node1.run('ip a');
    expect(ip.output).toContain('inet 192.168.56.11/24 scope global vmbr0');
    expect((await node1.run('ip route')).output).toContain(
      '192.168.56.0/24 dev vmbr0 proto kernel scope link src 192.168.56.11',
    );
    expect((await node1.run('pveversion')).output).toMatch(
      /^pve-manager\/9\.\d+\.\d+\/[0-9a-f]+ \(running kernel: 6\.14\.8-2-pve\)\n$/,
    );
    expect(await node1.run('frobnicate')).toEqual({
      output: '-bash: frobnicate: command not found\n',
      exitCode: 127,
    });
    expect((await node1.run('help')).output).toContain('pvecm add <hostname> [OPTIONS]');
  });

  it('prints real-style usage errors', async () => {
    expect(await node1.run('qm start')).toEqual({
      output: '400 not enough arguments\nqm start <vmid> [OPTIONS]\n',
      exitCode: 255,
    });
    expect(await node1.run('qm start abc')).toEqual({
      output:
        "400 Parameter verification failed.\nvmid: type check ('integer') failed - got 'abc'\nqm start <vmid> [OPTIONS]\n",
      exitCode: 255,
    });
    expect(await node1.run('qm start 100 --bogus 1')).toEqual({
      output: 'Unknown option: bogus\n400 unable to parse option\nqm start <vmid> [OPTIONS]\n',
      exitCode: 255,
    });
    const unknown = await node1.run('qm frobnicate');
    expect(unknown.output).toMatch(
      /^ERROR: unknown command 'qm frobnicate'\nUSAGE: qm <COMMAND> \[ARGS\] \[OPTIONS\]\n {7}qm create <vmid> \[OPTIONS\]\n/,
    );
    expect((await node1.run('ha-manager rules frob x')).output).toMatch(
      /^ERROR: unknown command 'ha-manager rules frob'\n/,
    );
    expect(unknown.exitCode).toBe(255);
  });

  it('says a standalone node is not in a cluster', async () => {
    const status = await node1.run('pvecm status');
    expect(status.output).toBe(
      "Error: Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?\n",
    );
    expect(status.exitCode).toBe(2);
  });

  it('creates a cluster and joins a node, asking for the password and the fingerprint', async () => {
    const create = await node1.run('pvecm create lab');
    expect(create.exitCode).toBe(0);
    const join = await node2.run('pvecm add 192.168.56.11', ['labpass', 'yes']);
    expect(join.output).toContain("Please enter superuser (root) password for '192.168.56.11': \n");
    expect(join.output).toContain(`X509 SHA256 key fingerprint is ${dc.endpoints[0]!.fingerprint}.`);
    expect(join.exitCode).toBe(0);
    const status = await node1.run('pvecm status');
    expect(status.exitCode).toBe(0);
    expect(status.output.replace(/(Date|Ring ID|Config Version): +.*\n/g, '$1: …\n')).toBe(
      [
        'Cluster information',
        '-------------------',
        'Name:             lab',
        'Config Version: …',
        'Transport:        knet',
        'Secure auth:      on',
        '',
        'Quorum information',
        '------------------',
        'Date: …',
        'Quorum provider:  corosync_votequorum',
        'Nodes:            2',
        'Node ID:          0x00000001',
        'Ring ID: …',
        'Quorate:          Yes',
        '',
        'Votequorum information',
        '----------------------',
        'Expected votes:   2',
        'Highest expected: 2',
        'Total votes:      2',
        'Quorum:           2  ',
        'Flags:            Quorate ',
        '',
        'Membership information',
        '----------------------',
        '    Nodeid      Votes Name',
        '0x00000001          1 192.168.56.11 (local)',
        '0x00000002          1 192.168.56.12',
        '',
      ].join('\n'),
    );
    expect(status.output).toMatch(/\nDate: {13}[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/);
    expect(status.output).toContain('Name:             lab\n');
    expect(status.output).toContain('Nodes:            2\n');
    expect(status.output).toContain('Quorate:          Yes\n');
    expect(status.output).toContain('Expected votes:   2\n');
    expect(status.output).toContain('0x00000001          1 192.168.56.11 (local)\n');
    expect(status.output).toContain('0x00000002          1 192.168.56.12\n');
    const nodes = await node2.run('pvecm nodes');
    expect(nodes.output).toBe(
      '\nMembership information\n----------------------\n    Nodeid      Votes Name\n         1          1 node1\n         2          1 node2 (local)\n',
    );
  });

  it('asks for the password, then refuses to join a node that is already a member', async () => {
    const again = await node2.run('pvecm add 192.168.56.11', ['labpass']);
    expect(again).toEqual({
      output:
        "Please enter superuser (root) password for '192.168.56.11': \n" +
        'detected the following error(s):\n' +
        "* authentication key '/etc/corosync/authkey' already exists\n" +
        "* cluster config '/etc/pve/corosync.conf' already exists\n" +
        '* corosync is already running, is this node already in a cluster?!\n' +
        'Check if node may join a cluster failed!\n',
      exitCode: 255,
    });
  });

  it('refuses a join with the wrong password', async () => {
    const node3 = dc.openShell('node3');
    const join = await node3.run(`pvecm add 192.168.56.11 --fingerprint ${dc.endpoints[0]!.fingerprint}`, [
      'wrong',
    ]);
    expect(join.exitCode).toBe(255);
    expect(join.output).toMatch(/\n401 authentication failure\n$/);
  });

  it('refuses to join a node that already has guests', async () => {
    const node3 = dc.openShell('node3');
    expect((await node3.run('qm create 300 --memory 128')).exitCode).toBe(0);
    expect(await node3.run('pvecm add 192.168.56.11', ['labpass'])).toEqual({
      output:
        "Please enter superuser (root) password for '192.168.56.11': \n" +
        'detected the following error(s):\n* this host already contains virtual guests\nCheck if node may join a cluster failed!\n',
      exitCode: 255,
    });
  });

  it('adds NFS storage and shows it in pvesm status', async () => {
    const add = await node1.run(
      'pvesm add nfs nas --server 192.168.56.20 --export /mnt/tank/pve --content images,iso',
    );
    expect(add).toEqual({ output: '', exitCode: 0 });
    const status = await node2.run('pvesm status');
    expect(status.output).toMatch(
      /^Name\s+Type\s+Status\s+Total \(KiB\)\s+Used \(KiB\)\s+Available \(KiB\)\s+%\n/,
    );
    expect(status.output).toMatch(/\nnas\s+nfs\s+active\s+\d+\s+\d+\s+\d+\s+\d+\.\d\d%\n/);
    const upload = await dc.createClient().upload!({
      node: 'node1',
      storage: 'nas',
      content: 'iso',
      filename: 'tinycore.iso',
      file: new Blob([new Uint8Array(1000)]),
    });
    await dc.createClient().waitForTask(upload);
    expect((await node2.run('pvesm list nas')).output).toBe(
      'Volid                Format  Type              Size VMID\nnas:iso/tinycore.iso iso     iso               1000 \n',
    );
  });

  it('creates, starts and lists a VM, then puts it under HA', async () => {
    expect(
      (await node1.run('qm create 100 --name tinycore --memory 512 --scsi0 nas:1 --net0 virtio,bridge=vmbr0'))
        .exitCode,
    ).toBe(0);
    expect((await node1.run('qm start 100')).exitCode).toBe(0);
    expect(await node1.run('qm status 100')).toEqual({ output: 'status: running\n', exitCode: 0 });
    const list = await node1.run('qm list');
    expect(list.output.split('\n')[0]).toBe(
      '      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID       ',
    );
    expect(list.output).toMatch(/\n {7}100 tinycore {13}running {4}512 {8}\s+\d+\.\d\d \d+/);
    const config = await node1.run('qm config 100');
    expect(config.output).toContain('name: tinycore\n');
    expect((await node1.run('ha-manager add vm:100 --state started')).exitCode).toBe(0);
    await dc.clock.sleep(60_000); // let the CRM take the manager lock
    const ha = await node2.run('ha-manager status');
    expect(ha.exitCode).toBe(0);
    expect(ha.output).toMatch(/^quorum OK\nmaster node\d \(active, /);
    expect(ha.output).toMatch(/\nservice vm:100 \(node1, started\)\n/);
    expect((await node1.run('ha-manager add vm:100')).output).toMatch(/already/);
  });

  it('loses quorum with its peer and regains it with pvecm expected 1', async () => {
    dc.world.powerOff('node2');
    await dc.clock.sleep(20_000);
    const lost = await node1.run('pvecm status');
    expect(lost.output).toContain('Quorate:          No\n');
    expect(lost.output).toContain('Quorum:           2 Activity blocked\n');
    expect(lost.exitCode).toBe(2);
    expect(lost.output).toContain('Flags:            \n');
    expect((await node1.run('pvesm add nfs other --server 192.168.56.20 --export /x')).output).toBe(
      'cluster not ready - no quorum?\n',
    );
    expect(await node1.run('pvecm expected 1')).toEqual({ output: '', exitCode: 0 });
    const regained = await node1.run('pvecm status');
    expect(regained.output).toContain('Quorate:          Yes\n');
    expect(regained.output).toContain('Expected votes:   1\n');
    expect((await node1.run('pvecm expected x')).output).toBe(
      "400 Parameter verification failed.\nexpected: type check ('integer') failed - got 'x'\npvecm expected <expected>\n",
    );
  });
});
