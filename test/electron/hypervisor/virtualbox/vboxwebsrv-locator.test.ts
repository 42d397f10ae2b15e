import { describe, expect, it } from 'vitest';
import {
  locateVirtualBox,
  parseRegistryInstallDir,
  virtualBoxSearchDirs,
} from '../../../../electron/hypervisor/virtualbox/vboxwebsrv-locator.ts';

const filesystem = (files: string[]) => (file: string) => files.includes(file);

describe('locateVirtualBox', () => {
  it('finds the Windows install through VBOX_MSI_INSTALL_PATH', () => {
    const install = locateVirtualBox({
      platform: 'win32',
      env: { VBOX_MSI_INSTALL_PATH: 'D:\\Apps\\VirtualBox\\' },
      isFile: filesystem(['D:\\Apps\\VirtualBox\\VBoxWebSrv.exe', 'D:\\Apps\\VirtualBox\\VBoxManage.exe']),
    });
    expect(install).toEqual({
      dir: 'D:\\Apps\\VirtualBox',
      vboxwebsrv: 'D:\\Apps\\VirtualBox\\VBoxWebSrv.exe',
      vboxmanage: 'D:\\Apps\\VirtualBox\\VBoxManage.exe',
    });
  });

  it('falls back to the registry and Program Files on Windows', () => {
    const dirs = virtualBoxSearchDirs({
      platform: 'win32',
      env: {},
      isFile: () => false,
      registryInstallDir: 'E:\\VB\\',
    });
    expect(dirs.slice(0, 2)).toEqual(['E:\\VB', 'C:\\Program Files\\Oracle\\VirtualBox']);
  });

  it('finds the macOS app bundle', () => {
    const install = locateVirtualBox({
      platform: 'darwin',
      env: { HOME: '/Users/ana' },
      isFile: filesystem([
        '/Applications/VirtualBox.app/Contents/MacOS/vboxwebsrv',
        '/Applications/VirtualBox.app/Contents/MacOS/VBoxManage',
      ]),
    });
    expect(install?.vboxwebsrv).toBe('/Applications/VirtualBox.app/Contents/MacOS/vboxwebsrv');
  });

  it('finds a Linux install and its VBoxManage wrapper on PATH', () => {
    const install = locateVirtualBox({
      platform: 'linux',
      env: { PATH: '/home/ana/bin:/usr/bin' },
      isFile: filesystem(['/usr/lib/virtualbox/vboxwebsrv', '/usr/bin/VBoxManage']),
    });
    expect(install).toEqual({
      dir: '/usr/lib/virtualbox',
      vboxwebsrv: '/usr/lib/virtualbox/vboxwebsrv',
      vboxmanage: '/usr/bin/VBoxManage',
    });
  });

  it('says nothing is installed when nothing is found', () => {
    expect(
      locateVirtualBox({ platform: 'linux', env: { PATH: '/usr/bin' }, isFile: () => false }),
    ).toBeUndefined();
  });
});

describe('parseRegistryInstallDir', () => {
  it('reads InstallDir from reg query output', () => {
    const output =
      '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Oracle\\VirtualBox\r\n    InstallDir    REG_SZ    C:\\Program Files\\Oracle\\VirtualBox\\\r\n';
    expect(parseRegistryInstallDir(output)).toBe('C:\\Program Files\\Oracle\\VirtualBox\\');
    expect(
      parseRegistryInstallDir('ERROR: The system was unable to find the specified registry key'),
    ).toBeUndefined();
  });
});
