import { describe, expect, it } from 'vitest';
import { parseClusterStatus, parseSharedStorage } from '../../../../electron/lab/drill/observe-cluster.ts';
import { canonicalSid, guestPath } from '../../../../electron/lab/drill/guest-path.ts';

describe('parseClusterStatus', () => {
  it('reads quorum and per-node online flags from /cluster/status', () => {
    expect(
      parseClusterStatus([
        { type: 'cluster', name: 'lab', quorate: 1 },
        { type: 'node', name: 'pve1', online: 1 },
        { type: 'node', name: 'pve2', online: 0 },
      ]),
    ).toEqual({ quorate: true, nodes: { pve1: true, pve2: false } });
  });

  it('treats a standalone node (no cluster entry) as quorate', () => {
    expect(parseClusterStatus([{ type: 'node', name: 'pve1', online: 1 }])).toEqual({
      quorate: true,
      nodes: { pve1: true },
    });
  });
});

describe('parseSharedStorage', () => {
  it('keeps shared storages only, available when every node reporting them sees them', () => {
    expect(
      parseSharedStorage([
        { type: 'storage', storage: 'local', status: 'available', shared: 0, plugintype: 'dir' },
        { type: 'storage', storage: 'nfs-lab', status: 'available', shared: 1, plugintype: 'nfs' },
        { type: 'storage', storage: 'nfs-lab', status: 'unknown', shared: 1, plugintype: 'nfs' },
        { type: 'storage', storage: 'nas2', status: 'available', plugintype: 'nfs' },
      ]),
    ).toEqual({ 'nfs-lab': false, nas2: true });
  });
});

describe('guestPath', () => {
  it('maps HA service ids to API paths', () => {
    expect(guestPath('vm:100')).toEqual({ type: 'qemu', vmid: 100, path: 'qemu/100' });
    expect(guestPath('ct:101')).toEqual({ type: 'lxc', vmid: 101, path: 'lxc/101' });
    expect(canonicalSid('100')).toBe('vm:100');
    expect(() => guestPath('vm100')).toThrow(/'vm100' is not an HA service id/);
  });
});
