import { describe, expect, it } from 'vitest';
import {
  assertSafeName,
  hostOnlyRange,
  labGroup,
  parseHostCidr,
  serialConsolePath,
  vboxMachineName,
} from '../../../../electron/hypervisor/virtualbox/lab-naming.ts';

describe('lab naming', () => {
  it('prefixes machines with the lab and groups them under /nestlab', () => {
    expect(vboxMachineName('basic', 'pve1')).toBe('basic-pve1');
    expect(labGroup('basic')).toBe('/nestlab/basic');
  });

  it('puts serial consoles on a named pipe or a unix socket, never TCP', () => {
    expect(serialConsolePath('win32', 'C:\\run', 'basic', 'pve1')).toBe('\\\\.\\pipe\\nestlab-basic-pve1');
    expect(serialConsolePath('linux', '/run/user/1000/nestlab', 'basic', 'pve1')).toBe(
      '/run/user/1000/nestlab/basic-pve1.sock',
    );
  });

  it('refuses names VirtualBox paths would choke on', () => {
    expect(() => assertSafeName('lab', 'my lab/..')).toThrow(/lab name "my lab\/\.\." cannot be used/);
    expect(() => assertSafeName('machine', 'pve-1.a_b')).not.toThrow();
  });
});

describe('parseHostCidr', () => {
  it('splits a host address and prefix into address and mask', () => {
    expect(parseHostCidr('192.168.56.1/24', 'linux')).toEqual({
      address: '192.168.56.1',
      mask: '255.255.255.0',
      prefix: 24,
    });
    expect(parseHostCidr('192.168.60.1/22', 'darwin').mask).toBe('255.255.252.0');
  });

  it('keeps Linux and macOS inside 192.168.56.0/21 and explains why', () => {
    expect(() => parseHostCidr('10.0.0.1/24', 'linux')).toThrow(
      /outside 192\.168\.56\.0\/21.*networks\.conf/,
    );
    expect(parseHostCidr('10.0.0.1/24', 'win32').address).toBe('10.0.0.1');
  });

  it('rejects what is not an IPv4 CIDR', () => {
    expect(() => parseHostCidr('192.168.56.1', 'linux')).toThrow(/not an IPv4 address with a prefix/);
    expect(() => parseHostCidr('192.168.56.300/24', 'linux')).toThrow(/not an IPv4/);
  });

  it('starts the macOS range at the host address, which takes the lowest address of it', () => {
    expect(hostOnlyRange('192.168.57.1')).toEqual({ lower: '192.168.57.1', upper: '192.168.57.254' });
  });
});
