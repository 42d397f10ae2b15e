/**
 * Ensures the lab's host-only network. Linux and Windows use host-only interfaces
 * (IHost.createHostOnlyNetworkInterface + a static host address); macOS with VirtualBox 7 uses
 * host-only networks (IVirtualBox.createHostOnlyNetwork), as Vagrant does. Idempotent.
 */
import type { IHostNetworkInterface, IVirtualBox, HostNetworkInterfaceType } from 'virtualbox-soap';
import type { NetworkSpec, OperationOptions } from '../driver.ts';
import { hostOnlyRange, parseHostCidr } from './lab-naming.ts';
import { waitForProgress } from './progress.ts';
import { hasResultCode, VBOX_RC } from './vbox-fault.ts';

export type NicAttachment =
  { type: 'HostOnly'; interfaceName: string } | { type: 'HostOnlyNetwork'; networkName: string };

export async function ensureHostOnlyNetwork(
  vbox: IVirtualBox,
  lab: string,
  network: NetworkSpec,
  platform: NodeJS.Platform,
  options: OperationOptions = {},
): Promise<NicAttachment> {
  const { address, mask } = parseHostCidr(network.cidr, platform);
  if (platform === 'darwin') {
    const name = `nestlab-${lab}-${network.name}`;
    let hostOnly;
    try {
      hostOnly = await vbox.findHostOnlyNetworkByName(name);
    } catch (error) {
      if (!hasResultCode(error, VBOX_RC.VBOX_E_OBJECT_NOT_FOUND)) throw error;
      hostOnly = await vbox.createHostOnlyNetwork(name);
    }
    const range = hostOnlyRange(address);
    await hostOnly.setNetworkMask(mask);
    await hostOnly.setLowerIP(range.lower);
    await hostOnly.setUpperIP(range.upper);
    await hostOnly.setEnabled(true);
    return { type: 'HostOnlyNetwork', networkName: name };
  }
  const host = await vbox.getHost();
  const existing: IHostNetworkInterface[] = await host.findHostNetworkInterfacesOfType(
    'HostOnly' as HostNetworkInterfaceType,
  );
  for (const candidate of existing) {
    if ((await candidate.getIPAddress()) === address)
      return { type: 'HostOnly', interfaceName: await candidate.getName() };
  }
  const created = await host.createHostOnlyNetworkInterface();
  await waitForProgress(created.returnval, {
    ...options,
    call: 'IHost.createHostOnlyNetworkInterface',
    message: `Creating host-only network ${network.name}`,
  });
  await created.hostInterface.enableStaticIPConfig(address, mask);
  return { type: 'HostOnly', interfaceName: await created.hostInterface.getName() };
}
