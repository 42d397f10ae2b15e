/**
 * The real-host wiring of the VirtualBox backend: find VirtualBox, make sure the per-user secret is
 * registered, start the supervised vboxwebsrv and open the version-aware connection. The only file here
 * that touches child_process and the real file system; the pieces it joins are tested on their own.
 */
import { execFile, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { realClock, type Clock } from '../../clock/clock.ts';
import type { ImageResolver } from '../../images/resolver.ts';
import { HypervisorError } from '../driver.ts';
import { ensureWebServiceCredentials, fileSecretStore } from './vbox-auth-secret.ts';
import { VBoxConnection } from './vbox-connection.ts';
import { locateVirtualBox, parseRegistryInstallDir, type VirtualBoxInstall } from './vboxwebsrv-locator.ts';
import { VboxwebsrvSupervisor, type SpawnChild } from './vboxwebsrv-supervisor.ts';
import { VirtualBoxDriver } from './virtualbox-driver.ts';

/** Per-user NestLab state (secret, console sockets): NESTLAB_HOME or the OS's usual place. */
export function defaultStateDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env['NESTLAB_HOME']) return env['NESTLAB_HOME'];
  const home = os.homedir();
  if (platform === 'win32')
    return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'NestLab');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'NestLab');
  return path.join(env['XDG_STATE_HOME'] ?? path.join(home, '.local', 'state'), 'nestlab');
}

export function runProgram(command: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { windowsHide: true, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error)
        reject(
          new Error(`${path.basename(command)} ${args[0] ?? ''} failed: ${(stderr || error.message).trim()}`),
        );
      else resolve(stdout);
    });
  });
}

const isFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

export async function findLocalVirtualBox(): Promise<VirtualBoxInstall | undefined> {
  let registryInstallDir: string | undefined;
  if (process.platform === 'win32') {
    const output = await runProgram('reg', [
      'query',
      'HKLM\\SOFTWARE\\Oracle\\VirtualBox',
      '/v',
      'InstallDir',
    ]).catch(() => '');
    registryInstallDir = parseRegistryInstallDir(output);
  }
  return locateVirtualBox({ platform: process.platform, env: process.env, isFile, registryInstallDir });
}

export interface LocalVirtualBox {
  install: VirtualBoxInstall;
  supervisor: VboxwebsrvSupervisor;
  connection: VBoxConnection;
  driver: VirtualBoxDriver;
  close(): Promise<void>;
}

export interface LocalVirtualBoxOptions {
  stateDir?: string;
  clock?: Clock;
  log?: (line: string) => void;
  /** The image catalog; without it only lab images given as file paths can be realised. */
  images?: ImageResolver;
}

/** Starts vboxwebsrv for this user and returns a ready driver. Throws HypervisorError('not-installed') without VirtualBox. */
export async function startLocalVirtualBox(options: LocalVirtualBoxOptions = {}): Promise<LocalVirtualBox> {
  const install = await findLocalVirtualBox();
  if (!install) {
    throw new HypervisorError(
      'not-installed',
      'VirtualBox is not installed (no vboxwebsrv in the standard folders or on PATH). Install VirtualBox 7 from ' +
        'https://www.virtualbox.org/wiki/Downloads, or use the simulator backend, which needs no VirtualBox.',
    );
  }
  const stateDir = options.stateDir ?? defaultStateDir();
  const runDir = path.join(stateDir, 'run');
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  const clock = options.clock ?? realClock;
  const supervisor = new VboxwebsrvSupervisor({
    vboxwebsrv: install.vboxwebsrv,
    spawn: spawn as unknown as SpawnChild,
    clock,
    credentials: () =>
      ensureWebServiceCredentials(
        fileSecretStore(path.join(stateDir, 'vboxwebsrv.secret'), options.log),
        async (args) => {
          await runProgram(install.vboxmanage, args);
        },
      ),
    log: options.log,
  });
  const credentials = await supervisor.start();
  let connection: VBoxConnection;
  try {
    connection = await VBoxConnection.open(credentials, clock);
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
  const stopFollowing = supervisor.onStatus((status, current) => {
    if (status === 'ready' && current) connection.retarget(current);
  });
  const driver = new VirtualBoxDriver({ connection, clock, runDir, images: options.images });
  return {
    install,
    supervisor,
    connection,
    driver,
    close: async () => {
      stopFollowing();
      await driver.close();
      // Lab VMs keep running: they belong to VBoxSVC, not to the web service.
      await supervisor.stop();
    },
  };
}
