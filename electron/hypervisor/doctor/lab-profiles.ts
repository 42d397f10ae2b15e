/**
 * Host budgets of the lab profiles (reference virtualbox.md §4.4): the 8 GB default uses three small PVE
 * nodes and a light NFS VM; TrueNAS alone wants 8 GB, so its profile needs a 16 GB host.
 */
export interface LabProfileBudget {
  id: string;
  label: string;
  /** Physical RAM the host needs in total. */
  hostRamMiB: number;
  /** RAM the lab's guests take while running. */
  guestRamMiB: number;
  /** Free disk for the dynamic disks as they fill during installs, plus ISOs. */
  diskMiB: number;
}

export const LAB_PROFILES: LabProfileBudget[] = [
  {
    id: 'light',
    label: '8 GB profile (3 × PVE + light NFS VM)',
    hostRamMiB: 8 * 1024,
    guestRamMiB: 3 * 1280 + 512,
    diskMiB: 40 * 1024,
  },
  {
    id: 'truenas',
    label: '16 GB profile (3 × PVE + TrueNAS)',
    hostRamMiB: 16 * 1024,
    guestRamMiB: 3 * 2048 + 8192,
    diskMiB: 80 * 1024,
  },
];
