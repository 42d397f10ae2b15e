/** The view's call sequences, pure parts: what the wizard sends, how join information reads back. */
import { describe, expect, it } from 'vitest';

import {
  DATACENTER_ACTIONS,
  createVmParams,
  decodeJoinInformation,
  filenameFromUrl,
  joinInformation,
  upidNode,
  type PveCall,
} from '../../../electron/contract/datacenter-actions.ts';

describe('datacenter actions', () => {
  it('builds the Create VM wizard’s POST tab by tab', () => {
    expect(
      createVmParams({
        node: 'pve2',
        vmid: 100,
        name: 'tinycore',
        iso: 'nfs-lab:iso/Core-17.1.iso',
        agent: true,
        diskStorage: 'nfs-lab',
        diskSizeGiB: 1,
        memory: 128,
        model: 'e1000',
      }),
    ).toEqual({
      vmid: 100,
      name: 'tinycore',
      ostype: 'l26',
      scsihw: 'virtio-scsi-single',
      scsi0: 'nfs-lab:1',
      ide2: 'nfs-lab:iso/Core-17.1.iso,media=cdrom',
      boot: 'order=scsi0;ide2',
      agent: '1',
      sockets: 1,
      cores: 1,
      memory: 128,
      net0: 'e1000,bridge=vmbr0',
    });
  });

  it('encodes Join Information as Proxmox’s base64 JSON and reads it back; garbage says what to do', async () => {
    const call: PveCall = () =>
      Promise.resolve({
        preferred_node: 'pve1',
        nodelist: [{ name: 'pve1', pve_addr: '192.168.56.11', pve_fp: 'AB:CD', ring0_addr: '192.168.56.11' }],
        totem: { cluster_name: 'lab' },
      });
    const { information } = await joinInformation(call, { node: 'pve1' });
    expect(decodeJoinInformation(` ${information}\n`)).toEqual({
      ipAddress: '192.168.56.11',
      fingerprint: 'AB:CD',
      peerLinks: { '0': '192.168.56.11' },
      ring_addr: ['192.168.56.11'],
      totem: { cluster_name: 'lab' },
    });
    expect(() => decodeJoinInformation('hello')).toThrow(/Copy Information/);
    expect(() => decodeJoinInformation(btoa('{"x":1}'))).toThrow(/no address or fingerprint/);
  });

  it('reads file names from URLs and nodes from UPIDs', () => {
    expect(filenameFromUrl('http://tinycorelinux.net/17.x/x86/release/Core-17.1.iso')).toBe('Core-17.1.iso');
    expect(filenameFromUrl('not a url')).toBe('');
    expect(upidNode('UPID:pve2:0000A1B2:00C0FFEE:6700AA00:qmstart:100:root@pam:')).toBe('pve2');
    expect(upidNode('nope')).toBeNull();
  });

  it('the registry names the missing field of a lab file’s gui action', async () => {
    const call: PveCall = () => Promise.resolve(null);
    await expect(DATACENTER_ACTIONS['create-cluster'].run(call, { node: 'pve1' })).rejects.toThrow(
      'datacenter action "create-cluster" needs "clusterName"',
    );
    await expect(
      DATACENTER_ACTIONS['create-vm'].run(call, {
        node: 'pve1',
        vmid: 'x',
        diskStorage: 'a',
        diskSizeGiB: 1,
      }),
    ).rejects.toThrow('"vmid" must be a number');
  });
});
