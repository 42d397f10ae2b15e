/** Focused behaviours of the node shell: grammar, CLIHandler prefixes, ssh refusals, dying nodes, quorum. */
import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';
import { parseCommandLine } from '../../../../electron/sim/shell/shell-grammar.ts';
import type { ShellSession } from '../../../../electron/sim/shell/shell-session.ts';

describe('the shell grammar', () => {
  it('splits lists and pipelines, keeps quoted # and ;, drops comments', () => {
    expect(parseCommandLine('pvecm add 10.0.0.1 # Nikita')).toEqual([
      { after: ';', pipeline: { commands: [{ words: ['pvecm', 'add', '10.0.0.1'], discardOutput: false }] } },
    ]);
    const items = parseCommandLine(`echo "a # b; c" && ha-manager status | grep -i 'vm:1' || echo none`);
    expect(items.map((i) => i.after)).toEqual([';', '&&', '||']);
    expect(items[0]!.pipeline.commands[0]!.words).toEqual(['echo', 'a # b; c']);
    expect(items[1]!.pipeline.commands.map((c) => c.words[0])).toEqual(['ha-manager', 'grep']);
    expect(parseCommandLine('qm list > /dev/null 2>&1')[0]!.pipeline.commands[0]).toEqual({
      words: ['qm', 'list'],
      discardOutput: true,
    });
    expect(parseCommandLine('echo $?', 3)[0]!.pipeline.commands[0]!.words).toEqual(['echo', '3']);
  });

  it('reports syntax errors as bash does', () => {
    expect(() => parseCommandLine('| grep x')).toThrow("syntax error near unexpected token `|'");
    expect(() => parseCommandLine('qm list |')).toThrow("syntax error near unexpected token `newline'");
    expect(() => parseCommandLine('echo "open')).toThrow('unexpected EOF while looking for matching `"\'');
    expect(() => parseCommandLine('qm list > /root/x')).toThrow('/root/x: Read-only file system');
  });
});

describe('a terminal on a simulated cluster', () => {
  let dc: SimDatacenter;
  beforeAll(async () => {
    dc = await startSimDatacenter({
      pveClients: httpPveClients,
      initial: { kind: 'cluster' },
      clockMode: { kind: 'fast' },
      rootPassword: 'pw',
    });
  });
  afterAll(async () => {
    await dc.close();
  });

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

  it('accepts unique prefixes as CLIHandler does, and names ambiguous ones', async () => {
    const shell = dc.openShell('node1');
    expect((await shell.run('pvecm stat')).output).toMatch(/^Cluster information\n/);
    expect((await shell.run('pvecm no')).output).toMatch(/\nMembership information\n/);
    const ambiguous = await shell.run('qm s 100');
    expect(ambiguous.output).toMatch(/^ERROR: unknown command 'qm s'\n/);
    expect(ambiguous.exitCode).toBe(255);
  });

  it('closes the terminal like an ssh session when its node dies, and logs in again after the boot', async () => {
    const two = terminal('node2');
    two.shell.write('watch -n 1 pvecm status\r');
    await dc.clock.sleep(3_000);
    dc.world.reset('node2');
    await two.waitFor('Connection to node2 closed.\r\n');
    expect(two.screen()).not.toMatch(/TLS|does not exist|ECONNRESET/);
    two.shell.write('hostname\r'); // typed into a closed connection: goes nowhere
    await dc.clock.sleep(120_000);
    await two.waitFor('root@node2:~# ');
    expect(two.screen()).toMatch(/Connection to node2 closed\.\r\nLinux node2 [^\r]+\r\n/);
    expect(two.shell.isClosed).toBe(false);
    two.shell.write('hostname\r');
    await two.waitFor('node2\r\nroot@node2:~# ');
  });

  it('drops an ssh hop when the far node dies and keeps the first login', async () => {
    const one = terminal('node1');
    one.shell.write('ssh node3\r');
    await one.waitFor('root@node3:~# ');
    dc.world.powerOff('node3');
    await one.waitFor('Connection to node3 closed.\r\nroot@node1:~# ');
    dc.world.powerOn('node3');
    await dc.clock.sleep(120_000);
  });

  it('refuses ssh logins like OpenSSH', async () => {
    const standalone = await startSimDatacenter({
      pveClients: httpPveClients,
      clockMode: { kind: 'fast' },
      rootPassword: 'pw',
    });
    try {
      const shell = standalone.openShell('node1');
      expect(await shell.run('ssh root@node2', ['no'])).toMatchObject({ exitCode: 255 });
      expect((await shell.run('ssh root@node2', ['no'])).output).toMatch(
        /\nHost key verification failed\.\n$/,
      );
      const denied = await shell.run('ssh root@node2', ['yes', 'a', 'b', 'c']);
      expect(denied.output).toMatch(
        /Permission denied, please try again\.\nroot@node2's password: \nPermission denied, please try again\.\nroot@node2's password: \nroot@node2: Permission denied \(publickey,password\)\.\n$/,
      );
      // The key is known now: only the password is asked.
      expect((await shell.run('ssh root@node2 hostname', ['pw'])).output).toBe(
        "root@node2's password: \nnode2\n",
      );
      expect((await shell.run('ssh nowhere')).output).toBe(
        'ssh: Could not resolve hostname nowhere: Name or service not known\n',
      );
      standalone.world.powerOff('node3');
      expect((await shell.run('ssh 192.168.56.13')).output).toBe(
        'ssh: connect to host 192.168.56.13 port 22: No route to host\n',
      );
    } finally {
      await standalone.close();
    }
  });

  it('lets the journal tell why a node was fenced', async () => {
    const one = dc.openShell('node1');
    await one.run('qm create 120 --scsi0 nas:1');
    await one.run('ha-manager add vm:120 --state started');
    await dc.clock.sleep(60_000);
    const where = dc.world.guestLocation(120)!.node;
    const survivor = ['node1', 'node2', 'node3'].find((n) => n !== where)!;
    dc.world.powerOff(where);
    await dc.clock.sleep(240_000);
    const shell = dc.openShell(survivor);
    const master = Object.values(dc.world.core.state.nodes).find((n) => n.crm.state === 'master')!.name;
    const journal = (await dc.openShell(master).run('journalctl -u pve-ha-crm')).output;
    expect(journal).toContain(`node '${where}': state changed from 'online' => 'unknown'`);
    expect(journal).toContain(`fencing: acknowledged - got agent lock for node '${where}'`);
    expect(journal).toMatch(/recover service 'vm:120' from fenced node/);
    expect((await shell.run('journalctl -u corosync | grep QUORUM | tail -n 1')).output).toMatch(
      /corosync\[\d+\]: \[QUORUM\] Members\[2\]/,
    );
    dc.world.powerOn(where);
    await dc.clock.sleep(120_000);
  });

  it('refuses pvecm expected below the votes present, as corosync 3.1 does', async () => {
    const one = dc.openShell('node1');
    expect(await one.run('pvecm expected 1')).toEqual({
      output: 'Unable to set expected votes: CS_ERR_INVALID_PARAM\n',
      exitCode: 1,
    });
    // Split the cluster: the majority half refuses to lower its votes, the lone node accepts it.
    dc.world.partition([['node1'], ['node2', 'node3']]);
    await dc.clock.sleep(10_000);
    const lost = await one.run('pvecm status');
    expect(lost.exitCode).toBe(2);
    expect(lost.output).toContain('Quorum:           2 Activity blocked\n');
    const two = dc.openShell('node2');
    expect((await two.run('pvecm expected 1')).output).toBe(
      'Unable to set expected votes: CS_ERR_INVALID_PARAM\n',
    );
    expect(await one.run('pvecm expected 1')).toEqual({ output: '', exitCode: 0 });
    expect((await one.run('pvecm status')).output).toContain('Quorate:          Yes\n');
    dc.world.healPartitions();
    await dc.clock.sleep(10_000);
    expect((await one.run('corosync-quorumtool -s | grep Expected')).output).toBe('Expected votes:   3\n');
  });
});
