/**
 * A course, typed: every command the node's shell offers, run through a shell session as a
 * learner types it (standalone nodes → cluster over ssh → storage → VM → HA → faults).
 */
import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';
import type { ShellSession } from '../../../../electron/sim/shell/shell-session.ts';

let dc: SimDatacenter;
let pve1: ShellSession;

const NODES = [
  { name: 'pve1', ip: '10.0.0.1' },
  { name: 'pve2', ip: '10.0.0.2' },
  { name: 'pve3', ip: '10.0.0.3' },
];

beforeAll(async () => {
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    nodes: NODES,
    nas: { name: 'nas', ip: '10.0.0.20', exports: ['/mnt/tank/pve'] },
    rootPassword: 'labpass',
    clockMode: { kind: 'fast' },
  });
  pve1 = dc.openShell('pve1');
});
afterAll(async () => {
  await dc.close();
});

/** Lets virtual time pass until `condition` holds (at most ten virtual minutes). */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; waited < 600 && !condition(); waited += 10) await dc.clock.sleep(10_000);
  expect(condition()).toBe(true);
}

async function run(shell: ShellSession, line: string, answers: string[] = []): Promise<string> {
  const result = await shell.run(line, answers);
  return result.output;
}

async function ok(shell: ShellSession, line: string, answers: string[] = []): Promise<string> {
  const result = await shell.run(line, answers);
  if (result.exitCode !== 0) throw new Error(`'${line}' exited ${result.exitCode}:\n${result.output}`);
  return result.output;
}

describe('a course typed into the node shell', () => {
  it('speaks enough bash: comments, lists, pipes, builtins, files', async () => {
    expect(await ok(pve1, '# a comment only')).toBe('');
    expect(await ok(pve1, 'echo one; echo two # Nikita')).toBe('one\ntwo\n');
    expect(await run(pve1, 'false && echo never || echo fallback; nosuch')).toBe(
      'fallback\n-bash: nosuch: command not found\n',
    );
    expect(await ok(pve1, 'hostname && pwd')).toBe('pve1\n/root\n');
    expect(await ok(pve1, 'cat /etc/hostname')).toBe('pve1\n');
    expect(await ok(pve1, 'grep pve1 /etc/hosts')).toBe('10.0.0.1 pve1.lab.local pve1\n');
    expect(await ok(pve1, 'cat /etc/network/interfaces | grep address')).toBe('\taddress 10.0.0.1/24\n');
    expect(await ok(pve1, 'cat /etc/hosts | head -n 2 | tail -1')).toBe('10.0.0.1 pve1.lab.local pve1\n');
    expect(await ok(pve1, 'cat /etc/hosts | wc -l')).toBe('11\n');
    expect(await ok(pve1, 'cat /etc/pve/storage.cfg | less')).toContain(
      'lvmthin: local-lvm\n\tthinpool data\n',
    );
    expect(await ok(pve1, 'more /etc/pve/datacenter.cfg')).toBe('keyboard: en-us\n');
    expect(await ok(pve1, 'cd /etc/pve && pwd && ls')).toBe(
      '/etc/pve\ndatacenter.cfg\nlocal\nlxc\nnodes\npriv\nqemu-server\nstorage.cfg\n',
    );
    expect(await ok(pve1, 'ls -a | grep members')).toBe('.members\n');
    expect(await ok(pve1, 'cd; pwd')).toBe('/root\n');
    expect(await run(pve1, 'cat /etc/pve/corosync.conf')).toBe(
      'cat: /etc/pve/corosync.conf: No such file or directory\n',
    );
    expect(await ok(pve1, 'sleep 2 && echo slept')).toBe('slept\n');
    expect(await ok(pve1, 'clear')).toBe('');
    expect(await ok(pve1, 'watch -n 5 hostname')).toMatch(/^Every 5\.0s: hostname {2,}pve1: .+\n\npve1\n$/);
    expect(await ok(pve1, 'ip -br a | grep vmbr0')).toMatch(/^vmbr0 +UP +10\.0\.0\.1\/24 /);
    expect(await ok(pve1, 'hostnamectl')).toContain(' Static hostname: pve1\n');
    expect(await ok(pve1, 'ping -c 2 pve2')).toContain('2 packets transmitted, 2 received, 0% packet loss');
    expect(await run(pve1, 'ping -c 1 nosuchhost')).toBe('ping: nosuchhost: Name or service not known\n');
    expect(await run(pve1, 'pvecm stat')).toBe(
      "Error: Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?\n",
    );
  });

  it('creates the cluster, then joins pve2 over ssh from the first terminal', async () => {
    expect(await ok(pve1, 'pvecm create lab')).toContain('Writing corosync key');
    expect(await ok(pve1, 'cat /etc/pve/corosync.conf | grep -A3 "node {" | head -4')).toBe(
      '  node {\n    name: pve1\n    nodeid: 1\n    quorum_votes: 1\n',
    );
    const login = await ok(pve1, 'ssh root@pve2', ['yes', 'labpass']);
    expect(login).toContain("The authenticity of host 'pve2 (10.0.0.2)' can't be established.\n");
    expect(login).toMatch(/ED25519 key fingerprint is SHA256:[A-Za-z0-9+/]{43}\.\n/);
    expect(login).toContain("Warning: Permanently added 'pve2' (ED25519) to the list of known hosts.\n");
    expect(login).toContain("root@pve2's password: \n");
    expect(await ok(pve1, 'hostname')).toBe('pve2\n');
    const fingerprint = dc.endpoints[0]!.fingerprint;
    const join = await ok(pve1, 'pvecm add 10.0.0.1 # Nikita', ['labpass', 'yes']);
    expect(join).toContain(`X509 SHA256 key fingerprint is ${fingerprint}.\n`);
    expect(join).toContain(
      "No cluster network links passed explicitly, fallback to local node IP '10.0.0.2'\n",
    );
    expect(join).toMatch(/successfully added node 'pve2' to cluster\.\n$/);
    expect(await ok(pve1, 'exit')).toBe('logout\nConnection to pve2 closed.\n');
    expect(await ok(pve1, 'hostname')).toBe('pve1\n');
    // Cluster members share keys: no question, no password.
    expect(await ok(pve1, 'ssh pve2 hostname')).toBe('pve2\n');
    expect(await ok(pve1, 'pvecm nodes | tail -n 2')).toBe(
      '         1          1 pve1 (local)\n         2          1 pve2\n',
    );
    expect(await ok(pve1, 'cat /etc/pve/.members | grep pve2')).toBe(
      '  "pve2": { "id": 2, "online": 1, "ip": "10.0.0.2"}\n',
    );
    expect(await ok(pve1, 'history 2')).toMatch(
      /^ +\d+ {2}cat \/etc\/pve\/\.members \| grep pve2\n +\d+ {2}history 2\n$|^$/,
    );
  });

  it('adds a QDevice to the two-node cluster and removes it again', async () => {
    const setup = await ok(pve1, 'pvecm qdevice setup 10.0.0.20', ['labpass']);
    expect(setup).toContain('\nINFO: add QDevice to cluster configuration\n');
    const status = await ok(pve1, 'pvecm status');
    expect(status).toContain('Expected votes:   3\n');
    expect(status).toContain('Total votes:      3\n');
    expect(status).toContain('Flags:            Quorate Qdevice \n');
    expect(status).toContain('    Nodeid      Votes    Qdevice Name\n');
    expect(status).toContain('0x00000001          1    A,V,NMW 10.0.0.1 (local)\n');
    expect(status).toContain('0x00000000          1            Qdevice\n');
    expect(await ok(pve1, 'grep -c "host: 10.0.0.20" /etc/pve/corosync.conf')).toBe('1\n');
    expect(await ok(pve1, 'pvecm qdevice remove')).toBe('\nRemoved Qdevice.\n');
    expect(await ok(pve1, 'corosync-quorumtool -s | grep Expected')).toBe('Expected votes:   2\n');
  });

  it('joins pve3, adds the NAS and storage settings', async () => {
    await ok(pve1, 'ssh root@10.0.0.3', ['yes', 'labpass']);
    await ok(pve1, `pvecm add pve1 --fingerprint ${dc.endpoints[0]!.fingerprint}`, ['labpass']);
    await ok(pve1, 'logout');
    expect(await ok(pve1, 'pvesm scan nfs 10.0.0.20')).toBe('/mnt/tank/pve 10.0.0.0/24\n');
    expect(await ok(pve1, 'pvesm nfsscan nas')).toBe('/mnt/tank/pve 10.0.0.0/24\n');
    await ok(pve1, 'pvesm add nfs nas --server 10.0.0.20 --export /mnt/tank/pve --content images,iso');
    await ok(pve1, 'pvesm set nas --content images,iso,vztmpl');
    expect(await ok(pve1, 'grep -A4 "nfs: nas" /etc/pve/storage.cfg | grep content')).toBe(
      '\tcontent images,iso,vztmpl\n',
    );
    const status = await ok(pve1, 'pvesm status');
    expect(status.split('\n')[0]).toBe(
      'Name             Type     Status     Total (KiB)      Used (KiB) Available (KiB)        %',
    );
    await ok(pve1, 'pvesm add dir scratch --path /srv/scratch --content backup');
    await ok(pve1, 'pvesm remove scratch');
    expect(await run(pve1, 'pvesm status | grep -c scratch')).toBe('0\n');
  });

  it('drives the whole API through pvesh', async () => {
    expect(await ok(pve1, 'pvesh get /version --output-format json')).toMatch(/"release":"9\.1"/);
    const nodes = await ok(pve1, 'pvesh get /nodes --noborder');
    expect(nodes.split('\n')[0]).toMatch(/^node +status +cpu /);
    expect(await ok(pve1, 'pvesh ls /nodes')).toBe(
      'Dr---        pve1\nDr---        pve2\nDr---        pve3\n',
    );
    await ok(pve1, 'pvesh create /pools --poolid course 2>&1 || true');
    await ok(pve1, 'pvesh set /cluster/options --keyboard de 2>&1 || true');
    expect(await run(pve1, 'pvesh get /nosuch')).toBe("no such resource '/nosuch'\n");
    expect(await run(pve1, 'pvesh delete /version')).toBe("No 'delete' handler defined for '/version'\n");
  });

  it('creates, configures and operates a VM with qm', async () => {
    const create = await ok(
      pve1,
      'qm create 100 --name web --scsi0 nas:4 --net0 virtio,bridge=vmbr0 --ide2 none,media=cdrom',
    );
    expect(create).toContain(
      "Formatting '/mnt/pve/nas/images/100/vm-100-disk-0.raw', fmt=raw size=4294967296\n",
    );
    const config = await ok(pve1, 'qm config 100');
    expect(config).toContain('boot: order=scsi0;ide2;net0\n');
    expect(config).toMatch(/\nmeta: creation-qemu=[\d.]+,ctime=\d+\n/);
    expect(config).not.toMatch(/\n(cores|memory):/);
    expect(await ok(pve1, 'qm list | grep web')).toMatch(/^ {7}100 web {18}stopped {4}512 {16}4\.00 0 {9}$/m);
    expect(await ok(pve1, 'cat /etc/pve/qemu-server/100.conf | grep ^name')).toBe('name: web\n');
    await ok(pve1, 'qm start 100');
    await ok(pve1, 'qm reboot 100');
    await ok(pve1, 'qm reset 100');
    // A raw image on NFS cannot be snapshotted (pve-storage's volume_has_feature): Proxmox says so.
    const snapshot = await pve1.run('qm snapshot 100 first');
    expect(snapshot.exitCode).not.toBe(0);
    expect(snapshot.output).toMatch(/snapshot feature is not available/);
    expect(await ok(pve1, 'qm listsnapshot 100')).toMatch(/current/);
    expect(await run(pve1, 'qm terminal 100')).toBe('unable to find a serial interface\n');
    await ok(pve1, 'qm set 100 --serial0 socket');
    expect(await ok(pve1, 'qm terminal 100')).toBe(
      'starting serial terminal on interface serial0 (press Ctrl+O to exit)\n',
    );
  });

  it('operates the machines: units, journal, corosync tools, reboots', async () => {
    expect(await ok(pve1, 'systemctl status pve-ha-lrm | head -3')).toMatch(
      /^● pve-ha-lrm\.service - PVE Local HA Resource Manager Daemon\n {5}Loaded: .*\n {5}Active: active \(running\) since /,
    );
    for (const unit of ['corosync', 'pve-cluster', 'pve-ha-crm', 'pve-ha-lrm', 'pveproxy']) {
      await ok(pve1, `systemctl restart ${unit}`);
      expect(await ok(pve1, `systemctl is-active ${unit}`)).toBe('active\n');
    }
    expect(await ok(pve1, 'journalctl -u pve-ha-crm | grep -c "status change"')).toMatch(/^[1-9]\d*\n$/);
    expect(await ok(pve1, 'journalctl -u corosync | grep QUORUM | tail -n 1')).toMatch(
      /^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d pve1 corosync\[\d+\]: /,
    );
    expect(await ok(pve1, 'corosync-cfgtool -s')).toBe(
      'Local node ID 1, transport knet\nLINK ID 0 udp\n\taddr\t= 10.0.0.1\n\tstatus:\n' +
        '\t\tnodeid:          1:\tlocalhost\n\t\tnodeid:          2:\tconnected\n\t\tnodeid:          3:\tconnected\n',
    );
    expect(await ok(pve1, 'corosync-quorumtool -s | grep Quorate:')).toBe('Quorate:          Yes\n');

    const pve3 = dc.openShell('pve3');
    const boot = dc.local.bootToken('pve3');
    expect(await ok(pve3, 'reboot')).toBe('');
    await until(() => dc.local.bootToken('pve3') !== undefined && dc.local.bootToken('pve3') !== boot);
    expect(await ok(pve3, 'hostname')).toBe('pve3\n');
    expect(await ok(pve3, 'shutdown -h now')).toBe('');
    await until(() => dc.world.machineState('pve3').power === 'off');
    dc.world.powerOn('pve3');
    await until(() => dc.world.machineState('pve3').phase === 'up');
  });

  it('puts the VM under HA and moves it with crm commands', async () => {
    await ok(pve1, 'ha-manager add vm:100 --state started');
    await dc.clock.sleep(60_000);
    expect(await ok(pve1, 'ha-manager status | grep service')).toBe('service vm:100 (pve1, started)\n');
    expect(await ok(pve1, 'ha-manager crm-command migrate vm:100 pve2')).toBe('');
    await dc.clock.sleep(60_000);
    expect(dc.world.guestLocation(100)?.node).toBe('pve2');
    await ok(pve1, 'ha-manager crm-command relocate vm:100 pve3');
    await dc.clock.sleep(60_000);
    expect(dc.world.guestLocation(100)?.node).toBe('pve3');
    await ok(pve1, 'ha-manager crm-command stop vm:100 0');
    await dc.clock.sleep(30_000);
    expect(dc.world.guestLocation(100)?.running).toBe(false);
    await ok(pve1, 'ha-manager set vm:100 --state started');
    await ok(pve1, 'ha-manager crm-command node-maintenance enable pve2');
    await dc.clock.sleep(30_000);
    expect(await ok(pve1, 'ha-manager status | grep "lrm pve2"')).toMatch(/maintenance mode/);
    await ok(pve1, 'ha-manager crm-command node-m d pve2');
    await ok(pve1, 'ha-manager rules add node-affinity pin --resources vm:100 --nodes pve1,pve2');
    expect(await ok(pve1, 'ha-manager rules list')).toBe(
      '┌──────┐\n│ rule │\n╞══════╡\n│ pin  │\n└──────┘\n',
    );
    expect(await ok(pve1, 'cat /etc/pve/ha/rules.cfg')).toBe(
      'node-affinity: pin\n\tnodes pve1,pve2\n\tresources vm:100\n',
    );
  });

  it('removes a dead node from the cluster', async () => {
    const pve3 = dc.openShell('pve3');
    await ok(pve3, 'poweroff');
    await until(() => dc.world.machineState('pve3').power === 'off');
    await dc.clock.sleep(10_000);
    expect(await run(pve1, 'corosync-cfgtool -s | tail -1')).toBe('\t\tnodeid:          3:\tdisconnected\n');
    expect(await ok(pve1, 'pvecm delnode pve3')).toBe('Killing node 3\n');
    expect(await ok(pve1, 'pvecm nodes | grep -c pve')).toBe('2\n');
  });
});
