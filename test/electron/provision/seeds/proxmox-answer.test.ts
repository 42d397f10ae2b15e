import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';

import { labNicMac } from '../../../../electron/provision/seeds/lab-mac.ts';
import { renderPveAnswer } from '../../../../electron/provision/seeds/proxmox-answer.ts';
import { pveAnswerSchema } from '../../../../electron/provision/seeds/proxmox-answer-schema.ts';
import { opensslSha512Crypt } from '../../../support/seed-tools.ts';
import { profileOf, shippedLab, SHIPPED_LABS } from './lab-fixture.ts';

describe('answer.toml for the Proxmox VE automated installer', () => {
  it.each(SHIPPED_LABS)('is valid for every node of every VirtualBox profile of %s', async (id) => {
    const lab = await shippedLab(id);
    for (const profile of lab.profiles.filter((p) => p.backends.includes('virtualbox'))) {
      for (const machine of profile.machines.filter((m) => m.kind === 'pve')) {
        const text = renderPveAnswer(lab, profile, machine);
        const answer = pveAnswerSchema.parse(parse(text));
        const address = machine.nics[0]!.address!;
        expect(answer.global.fqdn).toBe(`${machine.name}.lab.internal`);
        expect(answer.network).toEqual({
          source: 'from-answer',
          cidr: address,
          gateway: '192.168.56.1',
          dns: '192.168.56.1',
          filter: { ID_NET_NAME_MAC: `*${labNicMac(lab.id, machine.name, 0).replaceAll(':', '')}` },
        });
      }
    }
  });

  it('writes the documented keys and a root password hash that crypt(3) accepts', async () => {
    const lab = await shippedLab('proxmox-ha-basics');
    const profile = profileOf(lab, 'virtualbox-light');
    const text = renderPveAnswer(lab, profile, profile.machines[0]!);
    const answer = parse(text) as Record<string, Record<string, unknown>>;

    expect(Object.keys(answer).sort()).toEqual(['disk-setup', 'global', 'network']);
    expect(answer.global).toMatchObject({
      keyboard: 'en-us',
      country: 'us',
      mailto: 'root@lab.internal',
      timezone: 'UTC',
      'reboot-mode': 'power-off',
      'reboot-on-error': false,
    });
    expect(answer.global!['root-password']).toBeUndefined();
    expect(answer['disk-setup']).toEqual({ filesystem: 'ext4', 'disk-list': ['sda'] });
    const hash = String(answer.global!['root-password-hashed']);
    const salt = hash.split('$')[2]!;
    expect(hash).toBe(opensslSha512Crypt(String(lab.vars.rootPassword), salt));
    expect(text).not.toContain(String(lab.vars.rootPassword));
    // The same lab writes the same answer twice (stable salt).
    expect(renderPveAnswer(lab, profile, profile.machines[0]!)).toBe(text);
  });

  it('takes keyboard, country, time zone and domain from the lab vars', async () => {
    const lab = await shippedLab('proxmox-ha-basics');
    const local = {
      ...lab,
      vars: { ...lab.vars, keyboard: 'es', country: 'ES', timezone: 'Europe/Madrid', domain: 'aula.test' },
    };
    const profile = profileOf(lab, 'virtualbox-light');
    const answer = parse(renderPveAnswer(local, profile, profile.machines[1]!)) as {
      global: Record<string, unknown>;
    };
    expect(answer.global).toMatchObject({
      keyboard: 'es',
      country: 'es',
      timezone: 'Europe/Madrid',
      fqdn: 'pve2.aula.test',
    });
  });

  it('says which lab variable is wrong', async () => {
    const lab = await shippedLab('proxmox-ha-basics');
    const profile = profileOf(lab, 'virtualbox-light');
    const pve1 = profile.machines[0]!;
    expect(() =>
      renderPveAnswer({ ...lab, vars: { ...lab.vars, rootPassword: 'short' } }, profile, pve1),
    ).toThrow(
      'lab "proxmox-ha-basics": vars.rootPassword must have at least 8 characters (the Proxmox VE installer refuses shorter)',
    );
    expect(() =>
      renderPveAnswer({ ...lab, vars: { ...lab.vars, keyboard: 'dvorak' } }, profile, pve1),
    ).toThrow(/vars\.keyboard "dvorak" is not a Proxmox VE layout/);
    const { rootPassword: _dropped, ...withoutPassword } = lab.vars;
    expect(() => renderPveAnswer({ ...lab, vars: withoutPassword }, profile, pve1)).toThrow(
      'lab "proxmox-ha-basics": vars.rootPassword is needed to install the machines',
    );
    const noAddress = { ...pve1, nics: [{ network: 'lab' }] };
    expect(() => renderPveAnswer(lab, profile, noAddress)).toThrow(
      /machine pve1 needs a NIC with a static address/,
    );
  });
});

describe('the answer-file schema follows the installer', () => {
  const valid = {
    global: {
      keyboard: 'de',
      country: 'at',
      fqdn: 'pveauto.testinstall',
      mailto: 'mail@no.invalid',
      timezone: 'Europe/Vienna',
      'root-password': '12345678',
    },
    network: {
      source: 'from-answer',
      cidr: '10.10.10.10/24',
      dns: '10.10.10.1',
      gateway: '10.10.10.1',
      filter: { ID_NET_NAME: 'enp1s0' },
    },
    'disk-setup': { filesystem: 'ext4', 'disk-list': ['sda'] },
  };

  it('accepts a minimal static answer', () => {
    expect(pveAnswerSchema.safeParse(valid).success).toBe(true);
  });

  it.each([
    ['an unknown key (deny_unknown_fields)', { ...valid, global: { ...valid.global, hostname: 'x' } }],
    ['both passwords', { ...valid, global: { ...valid.global, 'root-password-hashed': '$6$x$y' } }],
    ['no password', { ...valid, global: { ...valid.global, 'root-password': undefined } }],
    ['a password under 8 characters', { ...valid, global: { ...valid.global, 'root-password': '1234567' } }],
    ['a host name that is not a FQDN', { ...valid, global: { ...valid.global, fqdn: 'pve1' } }],
    ['an unknown keyboard', { ...valid, global: { ...valid.global, keyboard: 'us' } }],
    ['a static network without a NIC filter', { ...valid, network: { ...valid.network, filter: {} } }],
    ['ext4 on two disks', { ...valid, 'disk-setup': { filesystem: 'ext4', 'disk-list': ['sda', 'sdb'] } }],
    [
      'both disk-list and filter',
      { ...valid, 'disk-setup': { filesystem: 'ext4', 'disk-list': ['sda'], filter: { ID_SERIAL: 'x' } } },
    ],
    [
      'a snake_case key the assistant warns about',
      { ...valid, global: { ...valid.global, reboot_mode: 'power-off' } },
    ],
  ])('rejects %s', (_what, answer) => {
    expect(pveAnswerSchema.safeParse(answer).success).toBe(false);
  });
});
