import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TrueNasInstallerClient } from '../../../../electron/provision/truenas/installer-client.ts';
import { JsonRpcSocket, TrueNasRpcError } from '../../../../electron/provision/truenas/json-rpc-socket.ts';
import { createTrueNasAppliance } from '../../../../electron/provision/truenas/truenas-appliance.ts';
import { probeCertificate } from '../../../../electron/pve/tls-pinning.ts';
import { nodeCertificate } from '../../../../electron/sim/http/node-certificate.ts';
import { FakeTrueNas } from '../../../support/fake-truenas.ts';

let nas: FakeTrueNas;
beforeEach(async () => {
  nas = await new FakeTrueNas().start();
});
afterEach(async () => {
  await nas.stop();
});

const appliance = createTrueNasAppliance();

async function installed(): Promise<void> {
  await appliance.installSystem({
    installerUrl: nas.installerUrl,
    bootDiskGiB: 16,
    adminPassword: 'nestlab-root',
  });
}

function nfsRequest(overrides: Partial<Parameters<typeof appliance.configureNfs>[0]> = {}) {
  return {
    apiUrl: nas.apiUrl,
    adminPassword: 'nestlab-root',
    pool: 'tank',
    poolDisk: 'sdb',
    dataset: 'pve',
    networks: ['192.168.56.0/24'],
    ...overrides,
  };
}

describe('TrueNAS installer API', () => {
  it('installs onto the boot disk chosen by size, with the admin user and a static address, then powers off', async () => {
    const progress: number[] = [];
    const result = await appliance.installSystem({
      installerUrl: nas.installerUrl,
      bootDiskGiB: 16,
      adminPassword: 'nestlab-root',
      network: { interface: 'enp0s3', address: '192.168.56.20', prefix: 24 },
      onProgress: ({ fraction }) => progress.push(fraction),
    });

    expect(result).toEqual({ bootDisk: 'sda' });
    expect(nas.installed).toEqual({
      disks: ['sda'],
      username: 'truenas_admin',
      password: 'nestlab-root',
      post_install: {
        network_interfaces: [
          {
            name: 'enp0s3',
            ipv4_dhcp: false,
            aliases: [{ type: 'INET', address: '192.168.56.20', netmask: 24 }],
          },
        ],
      },
    });
    expect(progress).toEqual([0.1, 0.5, 1]);
    expect(nas.poweredOff).toBe(true);
    expect(nas.calls.filter((c) => c.endpoint === 'installer').map((c) => c.method)).toEqual([
      'system_info',
      'list_disks',
      'install',
      'shutdown',
    ]);
  });

  it("reports the installer's own validation message", async () => {
    const client = await TrueNasInstallerClient.connect(nas.installerUrl);
    try {
      const error = await client
        .install({
          disks: ['sdz'],
          set_pmbr: false,
          authentication: { username: 'truenas_admin', password: 'secret1' },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrueNasRpcError);
      expect((error as TrueNasRpcError).message).toBe(
        `install on ${nas.installerUrl} failed: Disk 'sdz' does not exist`,
      );
      expect((error as TrueNasRpcError).code).toBe(-32602);
    } finally {
      client.close();
    }
  });

  it('refuses a short admin password before calling install', async () => {
    await expect(
      appliance.installSystem({ installerUrl: nas.installerUrl, bootDiskGiB: 16, adminPassword: 'abc' }),
    ).rejects.toThrow('the TrueNAS admin password must have at least 6 characters');
    expect(nas.installed).toBeUndefined();
  });

  it('waits for the live ISO to answer before installing', async () => {
    nas.answering = false;
    let pauses = 0;
    const result = await appliance.installSystem({
      installerUrl: nas.installerUrl,
      bootDiskGiB: 16,
      adminPassword: 'nestlab-root',
      // The "boot" finishes during the second pause.
      readiness: { attempts: 5, sleep: async () => void (++pauses === 2 && (nas.answering = true)) },
    });
    expect(result.bootDisk).toBe('sda');
    expect(pauses).toBe(2);
    expect(nas.installed?.disks).toEqual(['sda']);
  });

  it('gives up after the attempts it was given', async () => {
    const url = nas.installerUrl;
    await nas.stop();
    await expect(
      appliance.installSystem({
        installerUrl: url,
        bootDiskGiB: 16,
        adminPassword: 'nestlab-root',
        readiness: { attempts: 3, sleep: async () => {} },
      }),
    ).rejects.toThrow(
      new RegExp(`^the TrueNAS installer at ${url} did not answer after 3 attempts: cannot connect`),
    );
  });

  it('says when nothing listens at the installer address', async () => {
    const url = nas.installerUrl;
    await nas.stop();
    await expect(TrueNasInstallerClient.connect(url)).rejects.toThrow(
      new RegExp(`^cannot connect to ${url}: `),
    );
  });

  it('will not speak wss:// without a pinned certificate', async () => {
    await expect(JsonRpcSocket.connect('wss://127.0.0.1:1/api/current')).rejects.toThrow(
      'wss://127.0.0.1:1/api/current: a wss:// connection needs the certificate fingerprint to pin',
    );
  });
});

describe('TrueNAS middleware API', () => {
  it('creates the pool, the dataset and an NFS share for the lab network, and starts NFS', async () => {
    await installed();
    const { exportPath, share } = await appliance.configureNfs(nfsRequest());

    expect(exportPath).toBe('/mnt/tank/pve');
    expect(share).toMatchObject({ path: '/mnt/tank/pve', networks: ['192.168.56.0/24'], hosts: [] });
    expect(nas.pools.map((p) => [p.name, p.disks])).toEqual([['tank', ['sdb']]]);
    expect(nas.exportsLines()).toEqual([
      '"/mnt/tank/pve" 192.168.56.0/24(sec=sys,rw,no_subtree_check,no_root_squash)',
    ]);
    expect(nas.services.find((s) => s.service === 'nfs')).toMatchObject({ enable: true, state: 'RUNNING' });
    expect(nas.calls.filter((c) => c.endpoint === 'middleware').map((c) => c.method)).toEqual([
      'auth.login_ex',
      'pool.query',
      'pool.create',
      'pool.dataset.query',
      'pool.dataset.create',
      'sharing.nfs.query',
      'sharing.nfs.create',
      'service.query',
      'service.update',
      'service.control',
    ]);
    expect(nas.calls.find((c) => c.method === 'auth.login_ex')?.params).toEqual([
      { mechanism: 'PASSWORD_PLAIN', username: 'truenas_admin', password: 'nestlab-root' },
    ]);
    expect(nas.calls.find((c) => c.method === 'service.control')?.params).toEqual(['START', 'nfs', {}]);
  });

  it('can run again after an interruption without creating anything twice', async () => {
    await installed();
    await appliance.configureNfs(nfsRequest());
    const again = await appliance.configureNfs(nfsRequest());
    expect(again.exportPath).toBe('/mnt/tank/pve');
    expect(nas.pools).toHaveLength(1);
    expect(nas.shares).toHaveLength(1);
  });

  it("names the refused login, and the failing call with TrueNAS's reason", async () => {
    await installed();
    await expect(appliance.configureNfs(nfsRequest({ adminPassword: 'wrong-password' }))).rejects.toThrow(
      `auth.login_ex on ${nas.apiUrl}: TrueNAS refused truenas_admin's password (AUTH_ERR)`,
    );
    await expect(appliance.configureNfs(nfsRequest({ poolDisk: 'sda' }))).rejects.toThrow(
      `pool.create on ${nas.apiUrl} failed: pool_create.topology.data: disk sda is in use`,
    );
  });

  it('refuses calls before login, as the middleware does', async () => {
    const rpc = await JsonRpcSocket.connect(nas.apiUrl);
    try {
      await expect(rpc.call('pool.query', [[]])).rejects.toMatchObject({
        code: -32001,
        reason: 'Not authenticated',
      });
    } finally {
      rpc.close();
    }
  });
});

describe('TrueNAS middleware over wss://', () => {
  it('connects only to the pinned certificate', async () => {
    const cert = await nodeCertificate('nas', '127.0.0.1');
    const secure = await new FakeTrueNas().start({ key: cert.key, cert: cert.cert });
    try {
      secure.adminPassword = 'nestlab-root'; // installed earlier over the installer's plain ws://
      const probed = await probeCertificate(secure.apiUrl.replace('wss:', 'https:'));
      const done = await appliance.configureNfs(nfsRequest({ apiUrl: secure.apiUrl, tls: probed }));
      expect(done.exportPath).toBe('/mnt/tank/pve');

      const other = await nodeCertificate('someone-else', '127.0.0.1');
      await expect(
        appliance.configureNfs(
          nfsRequest({
            apiUrl: secure.apiUrl,
            tls: { fingerprint: other.fingerprint, chainPem: probed.chainPem },
          }),
        ),
      ).rejects.toThrow(/certificate of 127\.0\.0\.1 has fingerprint .*, expected /);
    } finally {
      await secure.stop();
    }
  });
});
