import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';
import type { ShellSession } from '../../../../electron/sim/shell/shell-session.ts';

let dc: SimDatacenter;
beforeAll(async () => {
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    clockMode: { kind: 'fast' },
    rootPassword: 'Secret123',
  });
});
afterAll(async () => {
  await dc.close();
});

/** A terminal on a node: what the screen shows, and a way to wait until it shows something. */
function terminal(node: string): {
  shell: ShellSession;
  screen: () => string;
  waitFor: (text: string) => Promise<void>;
} {
  const shell = dc.openShell(node);
  let screen = '';
  shell.onOutput((data) => (screen += data));
  shell.start();
  const waitFor = async (text: string): Promise<void> => {
    for (let i = 0; i < 2000 && !screen.endsWith(text); i++) await new Promise((r) => setTimeout(r, 5));
    if (!screen.endsWith(text))
      throw new Error(`screen does not end with ${JSON.stringify(text)}:\n${screen}`);
  };
  return { shell, screen: () => screen, waitFor };
}

describe('joining a cluster from a terminal', () => {
  it('prompts for the password (hidden) and the fingerprint, then joins', async () => {
    const one = terminal('node1');
    expect(one.screen()).toMatch(
      /^Linux node1 6\.14\.8-2-pve #1 SMP PREEMPT_DYNAMIC PMX [^\n]*\r\n\r\nThe programs included/,
    );
    expect(one.screen()).toMatch(/permitted by applicable law\.\r\nroot@node1:~# $/);
    one.shell.write('pvecm create lab\r');
    await one.waitFor('root@node1:~# ');

    const two = terminal('node2');
    two.shell.write('pvecm add 192.168.56.11\r');
    await two.waitFor("Please enter superuser (root) password for '192.168.56.11': ");
    two.shell.write('Secret123\r');
    await two.waitFor('Are you sure you want to continue connecting (yes/no)? ');
    expect(two.screen()).toContain(`X509 SHA256 key fingerprint is ${dc.endpoints[0]!.fingerprint}.`);
    two.shell.write('yes\r');
    await two.waitFor('root@node2:~# ');
    // read_password echoes nothing, not even stars.
    expect(two.screen()).toContain("password for '192.168.56.11': \r\nEstablishing API connection");
    expect(two.screen()).toContain("successfully added node 'node2' to cluster.\r\nroot@node2:~# ");
    expect(two.screen()).not.toContain('Secret123');
    expect(two.shell.lastExitCode).toBe(0);

    two.shell.write('pvecm nodes\r');
    await two.waitFor('root@node2:~# ');
    expect(two.screen()).toContain('         2          1 node2 (local)\r\n');
  });
});
