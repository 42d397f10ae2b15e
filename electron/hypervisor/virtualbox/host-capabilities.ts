/** What VirtualBox says about the host CPU (IHost.getProcessorFeature), for the doctor. */
import type { ProcessorFeature } from 'virtualbox-soap';
import type { CpuVirtualization } from '../doctor/host-facts.ts';
import type { VBoxConnection } from './vbox-connection.ts';

export async function readHostCpuVirtualization(connection: VBoxConnection): Promise<CpuVirtualization> {
  return connection.run('IHost.getProcessorFeature', async (vbox) => {
    const host = await vbox.getHost();
    // xsd:boolean arrives as a boolean from node-soap; accept the text form too rather than trust it.
    const has = async (feature: string): Promise<boolean> => {
      const value: unknown = await host.getProcessorFeature(feature as ProcessorFeature);
      return value === true || value === 'true';
    };
    return {
      hwVirtEx: await has('HWVirtEx'),
      nestedPaging: await has('NestedPaging'),
      unrestrictedGuest: await has('UnrestrictedGuest'),
      nestedHWVirt: await has('NestedHWVirt'),
    };
  });
}
