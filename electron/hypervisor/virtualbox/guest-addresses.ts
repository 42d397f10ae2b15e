/**
 * A guest's IPv4 addresses, best source first: what the Guest Additions report (guest properties),
 * then VirtualBox's own DHCP lease table for host-only NICs, then the static addresses the lab gives.
 * PVE nodes and appliances usually have no Guest Additions and static addresses, hence the order.
 */
import type { IMachine, IVirtualBox, NetworkAttachmentType } from 'virtualbox-soap';
import type { MachineSpec } from '../driver.ts';
import { hasResultCode, VBOX_RC } from './vbox-fault.ts';

/** "080027AB12CD" → "08:00:27:ab:12:cd", the form VirtualBox prints leases in. */
export function colonMac(mac: string): string {
  return (mac.toLowerCase().match(/[0-9a-f]{2}/g) ?? []).join(':');
}

async function fromGuestProperties(machine: IMachine): Promise<string[]> {
  const count = Number(await machine.getGuestPropertyValue('/VirtualBox/GuestInfo/Net/Count')) || 0;
  const found: string[] = [];
  for (let i = 0; i < count; i++) {
    const ip = String(await machine.getGuestPropertyValue(`/VirtualBox/GuestInfo/Net/${i}/V4/IP`));
    if (ip) found.push(ip);
  }
  return found;
}

async function fromDhcpLeases(vbox: IVirtualBox, machine: IMachine, nicCount: number): Promise<string[]> {
  const found: string[] = [];
  for (let slot = 0; slot < nicCount; slot++) {
    const adapter = await machine.getNetworkAdapter(slot);
    if ((await adapter.getAttachmentType()) !== ('HostOnly' as NetworkAttachmentType)) continue;
    try {
      const server = await vbox.findDHCPServerByNetworkName(
        `HostInterfaceNetworking-${await adapter.getHostOnlyInterface()}`,
      );
      const lease = await server.findLeaseByMAC(colonMac(String(await adapter.getMACAddress())), 0);
      if (lease.state === 'acked' && lease.address) found.push(lease.address);
    } catch (error) {
      // No DHCP server on that network, no lease for this MAC, or no leases file yet: VirtualBox writes
      // it only after handing out a first lease (DHCPServerImpl.cpp findLeaseByMAC answers
      // VBOX_E_FILE_ERROR until then; normal on Windows, where nodes use static addresses).
      if (
        !hasResultCode(error, VBOX_RC.VBOX_E_OBJECT_NOT_FOUND) &&
        !hasResultCode(error, VBOX_RC.E_INVALIDARG) &&
        !hasResultCode(error, VBOX_RC.VBOX_E_FILE_ERROR)
      )
        throw error;
    }
  }
  return found;
}

export async function readGuestAddresses(
  vbox: IVirtualBox,
  machine: IMachine,
  spec: MachineSpec,
): Promise<string[]> {
  const reported = await fromGuestProperties(machine);
  if (reported.length) return reported;
  const leased = await fromDhcpLeases(vbox, machine, spec.nics.length);
  if (leased.length) return leased;
  return spec.nics.flatMap((nic) => (nic.address ? [nic.address.split('/')[0] ?? nic.address] : []));
}
