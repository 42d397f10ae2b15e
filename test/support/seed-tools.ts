/** Debian's own tools, run on the images NestLab writes: xorriso/osirrox, mtools, blkid, cloud-init, openssl. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (command: string, args: string[]): string =>
  execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** LABEL, TYPE, … as blkid (and so udev's /dev/disk/by-label) sees the file. */
export function blkid(file: string): Record<string, string> {
  const out = run('blkid', ['-p', '-o', 'export', file]);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
}

export function xorrisoVolumeId(file: string): string {
  const out = run('xorriso', ['-indev', file, '-pvd_info']);
  return /^Volume Id\s*:\s*(.*)$/m.exec(out)?.[1]?.trim() ?? '';
}

/** Names in the root directory; `tree` picks Joliet (what Linux mounts) or the plain ECMA-119 names. */
export function xorrisoList(file: string, tree: 'joliet' | 'ecma119' = 'joliet'): string[] {
  const args =
    tree === 'joliet' ? ['-read_fs', 'norock'] : ['-read_fs', 'ecma119', '-ecma119_map', 'unmapped'];
  const out = run('xorriso', [...args, '-indev', file, '-ls', '/']);
  return out
    .split('\n')
    .filter((line) => /^'.*'$/.test(line))
    .map((line) => line.slice(1, -1))
    .sort();
}

/** Every file of the image extracted with osirrox, by name. */
export function osirroxExtract(file: string): Record<string, Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'nestlab-osirrox-'));
  try {
    run('osirrox', ['-indev', file, '-extract', '/', join(dir, 'x')]);
    const root = join(dir, 'x');
    return Object.fromEntries(readdirSync(root).map((name) => [name, readFileSync(join(root, name))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** mtools: `minfo` (volume label), `mdir` (long names), `mtype` (contents) on a FAT image. */
export function mtoolsLabel(file: string): string {
  const out = run('mdir', ['-i', file, '::']);
  return /Volume in drive : is (.*)$/m.exec(out)?.[1]?.trim() ?? '';
}

export function mtoolsList(file: string): string[] {
  // `mdir -b` prints bare long names with their path (::/answer.toml).
  return run('mdir', ['-b', '-i', file, '::'])
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^::\//, ''))
    .sort();
}

export function mtoolsType(file: string, name: string): Buffer {
  return execFileSync('mtype', ['-i', file, `::/${name}`], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export function mtoolsSectors(file: string): number {
  const out = run('minfo', ['-i', file, '::']);
  return Number(/small size: (\d+) sectors/.exec(out)?.[1] ?? 0);
}

/** `cloud-init schema --config-file`: null when valid, its complaint otherwise. */
export function cloudInitSchemaProblem(file: string): string | null {
  try {
    run('cloud-init', ['schema', '--config-file', file]);
    return null;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
  }
}

/** cloud-init's own network-config parser (Debian's python3 with the cloudinit package). */
export function cloudInitNetworkState(
  file: string,
): { name: string; mac_address: string; subnets: Record<string, unknown>[] }[] {
  const script = [
    'import json, sys',
    'from cloudinit import safeyaml',
    'from cloudinit.net.network_state import parse_net_config_data',
    'state = parse_net_config_data(safeyaml.load(open(sys.argv[1]).read()))',
    "print(json.dumps([{k: i.get(k) for k in ('name', 'mac_address', 'subnets')} for i in state.iter_interfaces()], default=str))",
  ].join('\n');
  return JSON.parse(run('/usr/bin/python3', ['-c', script, file])) as ReturnType<
    typeof cloudInitNetworkState
  >;
}

export function opensslSha512Crypt(password: string, salt: string): string {
  return run('openssl', ['passwd', '-6', '-salt', salt, password]).trim();
}
