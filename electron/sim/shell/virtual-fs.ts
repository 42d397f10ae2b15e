/**
 * A read-only directory tree over the node's files (`LocalNodeAccess.files`: path → content;
 * a path ending in `/` is a directory). Paths resolve like the kernel's (`.`, `..`, relative to
 * the working directory); `/etc/pve/local` and `/etc/pve/qemu-server` are pmxcfs's symlinks.
 */

export class VirtualFs {
  private readonly files = new Map<string, string>();
  private readonly dirs = new Set<string>(['/']);

  constructor(
    entries: Record<string, string>,
    private readonly node: string,
  ) {
    for (const [path, content] of Object.entries(entries)) {
      if (path.endsWith('/')) this.addDir(path.slice(0, -1));
      else {
        this.files.set(path, content);
        this.addDir(path.slice(0, path.lastIndexOf('/')));
      }
    }
    for (const dir of ['/etc', '/root', '/tmp', '/var', '/var/log']) this.addDir(dir);
  }

  private addDir(path: string): void {
    let dir = path;
    while (dir !== '' && !this.dirs.has(dir)) {
      this.dirs.add(dir);
      dir = dir.slice(0, dir.lastIndexOf('/'));
    }
  }

  /** An absolute, normalised path; pmxcfs's symlinks followed. */
  resolve(path: string, cwd: string): string {
    const parts: string[] = [];
    for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    let resolved = `/${parts.join('/')}`;
    resolved = resolved.replace(/^\/etc\/pve\/local(?=\/|$)/, `/etc/pve/nodes/${this.node}`);
    resolved = resolved.replace(/^\/etc\/pve\/(qemu-server|lxc)(?=\/|$)/, `/etc/pve/nodes/${this.node}/$1`);
    return resolved;
  }

  isDir(path: string): boolean {
    return this.dirs.has(path);
  }

  read(path: string): string | undefined {
    return this.files.get(path);
  }

  /** Names in a directory, sorted as `ls` does (dot files only with `all`). */
  list(dir: string, all = false): { name: string; dir: boolean; size: number }[] {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const names = new Map<string, { name: string; dir: boolean; size: number }>();
    for (const d of this.dirs) {
      if (d !== dir && d.startsWith(prefix) && !d.slice(prefix.length).includes('/'))
        names.set(d.slice(prefix.length), { name: d.slice(prefix.length), dir: true, size: 0 });
    }
    for (const [path, content] of this.files) {
      if (path.startsWith(prefix) && !path.slice(prefix.length).includes('/'))
        names.set(path.slice(prefix.length), {
          name: path.slice(prefix.length),
          dir: false,
          size: Buffer.byteLength(content),
        });
    }
    if (dir === '/etc/pve') {
      names.set('local', { name: 'local', dir: true, size: 0 });
      names.set('qemu-server', { name: 'qemu-server', dir: true, size: 0 });
      names.set('lxc', { name: 'lxc', dir: true, size: 0 });
    }
    return [...names.values()]
      .filter((e) => all || !e.name.startsWith('.'))
      .sort((a, b) => a.name.replace(/^\./, '').localeCompare(b.name.replace(/^\./, '')));
  }
}
