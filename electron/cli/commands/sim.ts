/**
 * `nestlab sim serve`: a simulated Proxmox VE datacenter on this machine, so any Proxmox client
 * (curl, proxmoxer, the GUI-less API) can talk to it. Prints each node's URL, certificate
 * fingerprint and the credentials; runs until Ctrl-C. `--shell <node>` also attaches that node's
 * simulated shell to this terminal.
 */
import { httpPveClients } from '../../pve/http-client.ts';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';

import { defaultDataDir } from '../../app/data-dir.ts';
import { installProcessGuard } from '../../app/process-guard.ts';
import { registerSimControl, removeServeState, writeServeState } from './sim-control.ts';
import { registerSimRun } from './sim-run.ts';

interface ServeOptions {
  nodes: number;
  speed: string;
  pve: string;
  cluster?: boolean;
  password?: string;
  shell?: string;
}

export function registerSim(program: Command): void {
  const sim = program.command('sim').description('The simulated Proxmox VE datacenter');
  sim
    .command('serve')
    .description(
      "Start a simulated datacenter and print each node's API address, fingerprint and credentials",
    )
    .option('--nodes <n>', 'number of Proxmox VE nodes (1-32)', '3')
    .option('--speed <x>', "clock speed: a factor of real time (1 = real time) or 'max'", '1')
    .option('--pve <major>', 'Proxmox VE major version: 8 or 9', '9')
    .option('--cluster', 'start with a formed cluster (default: freshly installed standalone nodes)')
    .option('--password <password>', 'root@pam password of every node (default: random)')
    .option('--shell <node>', "attach this node's simulated shell to the terminal")
    .action(async (raw: Record<string, unknown>) => {
      const options = raw as unknown as ServeOptions;
      const count = Number(options.nodes);
      if (!Number.isInteger(count) || count < 1 || count > 32)
        program.error(`--nodes: expected 1 to 32, got '${String(options.nodes)}'`);
      const pve = Number(options.pve);
      if (pve !== 8 && pve !== 9) program.error(`--pve: expected 8 or 9, got '${options.pve}'`);
      const speed = options.speed === 'max' ? undefined : Number(options.speed);
      if (speed !== undefined && !(speed > 0))
        program.error(`--speed: expected a positive number or 'max', got '${options.speed}'`);

      const { startSimDatacenter } = await import('../../sim/datacenter.ts');
      const nodes = Array.from({ length: count }, (_, i) => ({
        name: `node${i + 1}`,
        ip: `192.168.56.${11 + i}`,
      }));
      if (options.shell !== undefined && !nodes.some((n) => n.name === options.shell)) {
        program.error(`--shell: no node '${options.shell}' (nodes are node1..node${count})`);
      }
      const dc = await startSimDatacenter({
        pveClients: httpPveClients,
        nodes,
        pveMajor: pve as 8 | 9,
        ...(options.password ? { rootPassword: options.password } : {}),
        clockMode: speed === undefined ? { kind: 'fast', maxRatio: 1000 } : { kind: 'realtime', speed },
        ...(options.cluster ? { initial: { kind: 'cluster' as const } } : {}),
        apiTokenId: 'nestlab',
      });
      // A private folder nobody else can predict or pre-create (mkdtemp), readable only by us.
      const certDir = await mkdtemp(join(tmpdir(), 'nestlab-sim-'));
      await chmod(certDir, 0o700);
      // Faults from outside: a loopback control API; its address and token go to the data folder.
      const { startFaultControl } = await import('../../sim/fault-control.ts');
      const control = await startFaultControl(dc.world);
      const dataDir = defaultDataDir();
      await mkdir(dataDir, { recursive: true });
      const stateFile = await writeServeState(
        { url: control.url, token: control.token, pid: process.pid },
        dataDir,
      );

      const out: string[] = [];
      out.push(
        `Simulated Proxmox VE ${pve} datacenter: ${count} node(s)${options.cluster ? ', cluster formed' : ', standalone'}, ` +
          `clock ${speed === undefined ? 'as fast as possible' : `×${speed}`}`,
        '',
      );
      for (const endpoint of dc.endpoints) {
        const certFile = join(certDir, `${endpoint.name}.pem`);
        const caFile = join(certDir, `${endpoint.name}-pve-root-ca.pem`);
        await writeFile(certFile, dc.certificatePem(endpoint.name), { flag: 'wx', mode: 0o600 });
        await writeFile(caFile, dc.caPem(endpoint.name), { flag: 'wx', mode: 0o600 });
        out.push(
          `${endpoint.name}  ${endpoint.url}/api2/json   (lab address ${dc.world.nodeIp(endpoint.name)})`,
          `  fingerprint  ${endpoint.fingerprint}`,
          `  certificate  ${certFile}`,
          `  CA           ${caFile}`,
        );
      }
      out.push(
        '',
        options.cluster
          ? "One CA (the cluster's pve-root-ca.pem) signed every node's certificate."
          : "Each node has its own CA until it joins a cluster; a join gives it a new certificate from the cluster's CA (its fingerprint changes).",
      );
      const first = dc.endpoints[0]!;
      const nas = dc.world.core.state.nas;
      if (nas) out.push('', `NAS ${nas.name}  ${nas.ip}  NFS export ${nas.exports.join(', ')}`);
      out.push(
        '',
        `fault control  ${control.url}  (token in ${stateFile})`,
        '  e.g. nestlab sim power off node2 | sim reset node2 | sim cable out node1 | sim nas down |',
        '       sim partition node1 node2,node3 | sim heal | sim machines',
      );
      out.push(
        '',
        `user      root@pam`,
        `password  ${dc.credentials.password}`,
        ...(dc.credentials.token
          ? [
              `token     Authorization: PVEAPIToken=${dc.credentials.token.tokenId}=${dc.credentials.token.secret}`,
            ]
          : []),
        '',
        'Try:',
        `  curl --cacert ${join(certDir, `${first.name}-pve-root-ca.pem`)} -H 'Authorization: PVEAPIToken=${dc.credentials.token?.tokenId}=${dc.credentials.token?.secret}' ${first.url}/api2/json/version`,
        '',
        'Press Ctrl+C to stop.',
      );
      console.log(out.join('\n'));
      installProcessGuard({ entry: 'nestlab sim serve', mode: 'serve' });

      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        void control
          .close()
          .then(() => removeServeState(dataDir))
          .then(() => dc.close())
          .then(() => rm(certDir, { recursive: true, force: true }))
          .finally(() => process.exit(0));
      };
      process.once('SIGTERM', stop);

      if (options.shell !== undefined) {
        const shell = dc.openShell(options.shell);
        shell.onOutput((data) => process.stdout.write(data));
        if (process.stdin.isTTY) process.stdin.setRawMode(true);
        process.stdin.setEncoding('utf8');
        // In raw mode Ctrl-C reaches the shell; Ctrl-D (logout) stops the datacenter.
        process.stdin.on('data', (data: string) => shell.write(data));
        shell.onClose(stop);
        shell.start();
      } else {
        process.once('SIGINT', stop);
      }
    });
  registerSimRun(sim);
  registerSimControl(sim);
}
