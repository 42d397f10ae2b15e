/**
 * An ssh server on 127.0.0.1 standing in for one installed Proxmox node: root with the lab's
 * password, each exec run in the simulated datacenter's shell of that node (standard input gives
 * the answers to its prompts), each shell request an interactive simulated shell.
 */
import type { AddressInfo } from 'node:net';
import { Server, utils, type Connection } from 'ssh2';

import { sshKeyFingerprint } from '../../electron/terminal/ssh-nodes.ts';
import type { SimDatacenter } from '../../electron/sim/datacenter.ts';

export interface SimSshServer {
  port: number;
  /** The host key's fingerprint, as the environment shows it (`SHA256:…`). */
  fingerprint: string;
  /** Commands run through exec, in order. */
  commands: string[];
  /** Drops every open connection at once, as a node that reboots does. */
  dropConnections(): void;
  close(): Promise<void>;
}

/**
 * An ed25519 host key ssh2 can read back. About 1 in 600 keys from ssh2's own generator comes out
 * with a 31-byte public key (a leading zero byte dropped) that its parser then refuses: try again.
 */
function hostKey() {
  for (;;) {
    const keys = utils.generateKeyPairSync('ed25519');
    const parsed = utils.parseKey(keys.public);
    if (!(parsed instanceof Error)) return { keys, parsed };
  }
}

export async function startSimSshServer(
  dc: SimDatacenter,
  node: string,
  password: string,
): Promise<SimSshServer> {
  const { keys, parsed } = hostKey();
  const commands: string[] = [];
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [keys.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === 'root' && ctx.password === password) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('pty', (accept) => accept?.());
        session.on('window-change', (accept) => accept?.());
        session.on('exec', (accept, _reject, info) => {
          commands.push(info.command);
          const stream = accept();
          let input = '';
          stream.on('data', (data: Buffer) => (input += data.toString()));
          stream.on('end', () => {
            const shell = dc.openShell(node);
            const answers = input === '' ? [] : input.replace(/\n$/, '').split('\n');
            void shell.run(info.command, answers).then(
              ({ output, exitCode }) => {
                stream.write(output);
                stream.exit(exitCode);
                stream.end();
                shell.close();
              },
              (error: Error) => {
                stream.stderr.write(`${error.message}\n`);
                stream.exit(255);
                stream.end();
                shell.close();
              },
            );
          });
        });
        session.on('shell', (accept) => {
          const stream = accept();
          const shell = dc.openShell(node);
          shell.onOutput((data) => stream.write(data));
          stream.on('data', (data: Buffer) => shell.write(data.toString()));
          stream.on('close', () => shell.close());
          shell.onClose(() => {
            stream.exit(0);
            stream.end();
          });
          shell.start();
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    fingerprint: sshKeyFingerprint(parsed.getPublicSSH()),
    commands,
    dropConnections: () => {
      for (const client of clients) client.end();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
