/** `vm:100` / `ct:101` / `100` → the API path segment of the guest (`qemu/100`, `lxc/101`). */
export function guestPath(sid: string): { type: 'qemu' | 'lxc'; vmid: number; path: string } {
  const match = /^(?:(vm|ct):)?(\d+)$/.exec(sid.trim());
  if (!match) throw new Error(`drill: '${sid}' is not an HA service id (expected vm:<vmid> or ct:<vmid>)`);
  const type = match[1] === 'ct' ? 'lxc' : 'qemu';
  const vmid = Number(match[2]);
  return { type, vmid, path: `${type}/${vmid}` };
}

/** The canonical HA id: `100` → `vm:100`. */
export function canonicalSid(sid: string): string {
  const { type, vmid } = guestPath(sid);
  return `${type === 'lxc' ? 'ct' : 'vm'}:${vmid}`;
}
