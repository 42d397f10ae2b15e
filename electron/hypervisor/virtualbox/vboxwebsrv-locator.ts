/**
 * Finds an installed VirtualBox: its web service (vboxwebsrv) and VBoxManage. Looks where the installers
 * put them on Windows (VBOX_MSI_INSTALL_PATH, the registry's InstallDir, Program Files), macOS (the app
 * bundle) and Linux (/usr/lib/virtualbox …), then on PATH. File checks are injected so it is testable.
 */
import path from 'node:path';

export interface VirtualBoxInstall {
  dir: string;
  vboxwebsrv: string;
  vboxmanage: string;
}

export interface LocatorHost {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  isFile(file: string): boolean;
  /** InstallDir from HKLM\SOFTWARE\Oracle\VirtualBox on Windows, when the caller could read it. */
  registryInstallDir?: string;
}

function executables(platform: NodeJS.Platform): { webService: string; manage: string } {
  return platform === 'win32'
    ? { webService: 'VBoxWebSrv.exe', manage: 'VBoxManage.exe' }
    : { webService: 'vboxwebsrv', manage: 'VBoxManage' };
}

/** Candidate folders in the order they are tried. */
export function virtualBoxSearchDirs(host: LocatorHost): string[] {
  const p = host.platform === 'win32' ? path.win32 : path.posix;
  const pathDirs = (host.env['PATH'] ?? host.env['Path'] ?? '')
    .split(host.platform === 'win32' ? ';' : ':')
    .filter(Boolean);
  const dirs: (string | undefined)[] = [];
  if (host.platform === 'win32') {
    dirs.push(host.env['VBOX_MSI_INSTALL_PATH'], host.env['VBOX_INSTALL_PATH'], host.registryInstallDir);
    for (const root of [host.env['ProgramFiles'], host.env['ProgramW6432'], 'C:\\Program Files']) {
      if (root) dirs.push(p.join(root, 'Oracle', 'VirtualBox'));
    }
  } else if (host.platform === 'darwin') {
    dirs.push('/Applications/VirtualBox.app/Contents/MacOS');
    if (host.env['HOME']) dirs.push(p.join(host.env['HOME'], 'Applications/VirtualBox.app/Contents/MacOS'));
  } else {
    dirs.push(
      '/usr/lib/virtualbox',
      '/usr/lib64/virtualbox',
      '/opt/VirtualBox',
      '/usr/bin',
      '/usr/local/bin',
    );
  }
  dirs.push(...pathDirs);
  return [...new Set(dirs.filter((d): d is string => Boolean(d)).map((d) => d.replace(/[\\/]+$/, '')))];
}

export function locateVirtualBox(host: LocatorHost): VirtualBoxInstall | undefined {
  const p = host.platform === 'win32' ? path.win32 : path.posix;
  const names = executables(host.platform);
  const dirs = virtualBoxSearchDirs(host);
  const webServiceDir = dirs.find((dir) => host.isFile(p.join(dir, names.webService)));
  if (!webServiceDir) return undefined;
  // VBoxManage normally sits beside it; distro packages may put wrappers in /usr/bin instead.
  const manageDir =
    [webServiceDir, ...dirs].find((dir) => host.isFile(p.join(dir, names.manage))) ?? webServiceDir;
  return {
    dir: webServiceDir,
    vboxwebsrv: p.join(webServiceDir, names.webService),
    vboxmanage: p.join(manageDir, names.manage),
  };
}

/** Reads InstallDir out of `reg query HKLM\SOFTWARE\Oracle\VirtualBox /v InstallDir` output. */
export function parseRegistryInstallDir(regQueryOutput: string): string | undefined {
  const match = /InstallDir\s+REG_(?:EXPAND_)?SZ\s+(.+)$/m.exec(regQueryOutput);
  return match?.[1]?.trim() || undefined;
}
