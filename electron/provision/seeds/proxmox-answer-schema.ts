/**
 * The Proxmox VE automated installer's answer file (PVE 9.x), as far as NestLab writes it, with the
 * installer's own rules. Keys and types follow `AutoInstallerConfig` in proxmox/proxmox-rs
 * `proxmox-installer-types/src/answer.rs` (moved there from pve-installer's
 * `proxmox-auto-installer/src/answer.rs` in 2026-04; serde `deny_unknown_fields`, kebab-case) and the
 * checks in pve-installer `proxmox-auto-installer/src/utils.rs` (`verify_email_and_root_password_settings`,
 * `verify_disks_settings`, `get_network_settings`). Objects are strict: an unknown key fails here as it
 * would in the installer.
 */
import { z } from 'zod';

/** `KeyboardLayout` (kebab-case variants). */
export const PVE_KEYBOARDS = [
  'de',
  'de-ch',
  'dk',
  'en-gb',
  'en-us',
  'es',
  'fi',
  'fr',
  'fr-be',
  'fr-ca',
  'fr-ch',
  'hu',
  'is',
  'it',
  'jp',
  'lt',
  'mk',
  'nl',
  'no',
  'pl',
  'pt',
  'pt-br',
  'se',
  'si',
  'tr',
] as const;

const ipv4 = z
  .string()
  .regex(
    /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
    'an IPv4 address',
  );
const cidr = z.string().regex(/^(?:\d{1,3}\.){3}\d{1,3}\/(?:3[0-2]|[12]?\d)$/, 'an IPv4 address with prefix');
/** `Fqdn`: at least host + domain, DNS labels. */
const fqdn = z
  .string()
  .regex(
    /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i,
    'a fully qualified domain name',
  );

export const pveAnswerSchema = z.strictObject({
  global: z
    .strictObject({
      country: z.string().regex(/^[a-z]{2}$/, 'ISO 3166-1 alpha-2, lower case'),
      fqdn,
      keyboard: z.enum(PVE_KEYBOARDS),
      mailto: z.email(),
      timezone: z.string().min(1),
      'root-password': z.string().min(8).max(64).optional(),
      'root-password-hashed': z
        .string()
        .regex(/^\$(?:6|5|y|2[aby])\$/, 'a crypt(3) hash')
        .optional(),
      'reboot-on-error': z.boolean().optional(),
      'reboot-mode': z.enum(['reboot', 'power-off']).optional(),
      'root-ssh-keys': z.array(z.string()).optional(),
    })
    .refine((g) => (g['root-password'] === undefined) !== (g['root-password-hashed'] === undefined), {
      message: 'exactly one of root-password and root-password-hashed must be set',
    }),
  // `NetworkConfig` is tagged by `source`; NestLab writes only the static variant.
  network: z.strictObject({
    source: z.literal('from-answer'),
    cidr,
    dns: ipv4,
    gateway: ipv4,
    // Required in practice: get_network_settings picks the one NIC the filter matches.
    filter: z
      .record(z.string().regex(/^[A-Z0-9_]+$/, 'a udev property name'), z.string().min(1))
      .refine((f) => Object.keys(f).length > 0, 'must select the management NIC'),
  }),
  'disk-setup': z
    .strictObject({
      filesystem: z.enum(['ext4', 'xfs', 'zfs', 'btrfs']),
      'disk-list': z.array(z.string().min(1)).optional(),
      filter: z.record(z.string(), z.string()).optional(),
      'filter-match': z.enum(['any', 'all']).optional(),
      lvm: z
        .strictObject({
          hdsize: z.number().min(2).optional(),
          swapsize: z.number().min(0).optional(),
          maxroot: z.number().min(2).optional(),
          maxvz: z.number().min(0).optional(),
          minfree: z.number().min(0).optional(),
        })
        .optional(),
    })
    .refine((d) => (d['disk-list']?.length ?? 0) > 0 !== Object.keys(d.filter ?? {}).length > 0, {
      message: "need exactly one of 'disk-list' or 'filter'",
    })
    .refine((d) => !['ext4', 'xfs'].includes(d.filesystem) || (d['disk-list']?.length ?? 0) <= 1, {
      message: 'ext4 and xfs take exactly one disk',
    }),
});

export type PveAnswer = z.infer<typeof pveAnswerSchema>;
