/**
 * Users, groups, API tokens, pools and ACLs (`/etc/pve/user.cfg`) and the privilege computation of
 * pve-access-control (AccessControl.pm `roles`/`permission`, RPCEnvironment.pm `check`):
 * - the roles on the deepest ACL path that applies win; on one path a user's own entries beat its
 *   groups'; `propagate=0` entries apply to their exact path only;
 * - a VM's path `/vms/<id>` also inherits from `/pool/<pool>` when the VM is a pool member;
 * - root@pam has every privilege; a token with privilege separation has the intersection of its
 *   user's privileges and its own ACLs, one without has its user's.
 */
import type { SimCore } from './sim-core.ts';
import { SimApiError } from './http/route.ts';

export interface AccessUser {
  enable: boolean;
  expire: number;
  comment?: string;
  email?: string;
  firstname?: string;
  lastname?: string;
  /** PVE realm password (the simulator keeps it as given). */
  password?: string;
  groups: string[];
  tokens: Record<string, { privsep: boolean; expire: number; comment?: string; secret: string }>;
}

export interface AccessAcl {
  path: string;
  type: 'user' | 'group' | 'token';
  ugid: string;
  roleid: string;
  propagate: boolean;
}

export interface AccessState {
  users: Record<string, AccessUser>;
  groups: Record<string, { comment?: string }>;
  acl: AccessAcl[];
  pools: Record<string, { comment?: string; members: string[] }>;
}

const VM_USER = [
  'VM.Audit',
  'VM.Console',
  'VM.PowerMgmt',
  'VM.Backup',
  'VM.Config.CDROM',
  'VM.Config.Cloudinit',
];
const VM_ADMIN = [
  ...VM_USER,
  'VM.Allocate',
  'VM.Clone',
  'VM.Config.CPU',
  'VM.Config.Disk',
  'VM.Config.HWType',
  'VM.Config.Memory',
  'VM.Config.Network',
  'VM.Config.Options',
  'VM.Migrate',
  'VM.Monitor',
  'VM.Snapshot',
  'VM.Snapshot.Rollback',
  'VM.GuestAgent.Audit',
  'VM.GuestAgent.Unrestricted',
];
const DATASTORE_USER = ['Datastore.AllocateSpace', 'Datastore.Audit'];
const DATASTORE_ADMIN = [...DATASTORE_USER, 'Datastore.Allocate', 'Datastore.AllocateTemplate'];
const ALL_PRIVILEGES = [
  ...VM_ADMIN,
  ...DATASTORE_ADMIN,
  'Sys.Audit',
  'Sys.Console',
  'Sys.Modify',
  'Sys.PowerMgmt',
  'Sys.Syslog',
  'Sys.Incoming',
  'Pool.Allocate',
  'Pool.Audit',
  'User.Modify',
  'Group.Allocate',
  'Realm.Allocate',
  'Realm.AllocateUser',
  'Permissions.Modify',
  'SDN.Audit',
  'SDN.Allocate',
  'SDN.Use',
  'Mapping.Audit',
  'Mapping.Use',
  'Mapping.Modify',
  'VM.Replicate',
];

/** The built-in roles (pve-access-control AccessControl.pm `$privgroups`), by name. */
export const BUILTIN_ROLES: Record<string, string[]> = {
  Administrator: ALL_PRIVILEGES,
  NoAccess: [],
  PVEAdmin: ALL_PRIVILEGES.filter((p) => !['Permissions.Modify', 'Realm.Allocate', 'Sys.Modify'].includes(p)),
  PVEAuditor: ['VM.Audit', 'Datastore.Audit', 'Sys.Audit', 'Pool.Audit', 'SDN.Audit', 'Mapping.Audit'],
  PVEVMAdmin: VM_ADMIN,
  PVEVMUser: VM_USER,
  PVEDatastoreAdmin: DATASTORE_ADMIN,
  PVEDatastoreUser: DATASTORE_USER,
  PVEPoolAdmin: ['Pool.Allocate', 'Pool.Audit'],
  PVEPoolUser: ['Pool.Audit'],
  PVEUserAdmin: ['User.Modify', 'Group.Allocate', 'Realm.Allocate', 'Realm.AllocateUser', 'Sys.Audit'],
  PVESysAdmin: ['Sys.Audit', 'Sys.Console', 'Sys.Syslog', 'Sys.PowerMgmt', 'Pool.Audit'],
  PVETemplateUser: ['VM.Clone', 'VM.Audit'],
};

export function accessState(core: SimCore): AccessState {
  return (core.state.access ??= { users: {}, groups: {}, acl: [], pools: {} });
}

/** `user@realm!token` → its parts. */
export function splitTokenId(id: string): { user: string; token?: string } {
  const bang = id.indexOf('!');
  return bang === -1 ? { user: id } : { user: id.slice(0, bang), token: id.slice(bang + 1) };
}

function poolOfVm(access: AccessState, vmid: string): string | undefined {
  return Object.entries(access.pools).find(
    ([, p]) =>
      p.members.includes(`vms/${vmid}`) ||
      p.members.includes(`qemu/${vmid}`) ||
      p.members.includes(`lxc/${vmid}`),
  )?.[0];
}

function poolOfStorage(access: AccessState, storage: string): string | undefined {
  return Object.entries(access.pools).find(([, p]) => p.members.includes(`storage/${storage}`))?.[0];
}

/** Roles an ACL subject gets on `path` (deepest path wins; user beats group on one path). */
function rolesOn(access: AccessState, subject: { user?: string; token?: string }, path: string): Set<string> {
  const parts = path.split('/').filter(Boolean);
  const prefixes = ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
  let roles = new Set<string>();
  const groups = subject.user ? (access.users[subject.user]?.groups ?? []) : [];
  for (const prefix of prefixes) {
    const exact = prefix === path || (prefix === '/' && path === '/');
    const applies = (a: AccessAcl): boolean => a.path === prefix && (a.propagate || exact);
    const own = access.acl.filter(
      (a) =>
        applies(a) &&
        (subject.token
          ? a.type === 'token' && a.ugid === subject.token
          : a.type === 'user' && a.ugid === subject.user),
    );
    const viaGroups = subject.token
      ? []
      : access.acl.filter((a) => applies(a) && a.type === 'group' && groups.includes(a.ugid));
    if (own.length > 0) roles = new Set(own.map((a) => a.roleid));
    else if (viaGroups.length > 0) roles = new Set(viaGroups.map((a) => a.roleid));
  }
  return roles;
}

function privilegesOf(roles: Set<string>, core: SimCore): Set<string> {
  if (roles.has('NoAccess')) return new Set();
  const custom = core.state.roles ?? {};
  return new Set([...roles].flatMap((r) => BUILTIN_ROLES[r] ?? custom[r] ?? []));
}

/** The privileges of a user (`alice@pve`) or token (`alice@pve!ci`) on `path`. */
export function privileges(core: SimCore, who: string, path: string): Set<string> {
  const { user, token } = splitTokenId(who);
  const access = accessState(core);
  if (user === 'root@pam') {
    if (!token) return new Set(ALL_PRIVILEGES);
  } else {
    const u = access.users[user];
    if (!u || !u.enable) return new Set();
  }
  const paths = [path];
  const vm = /^\/vms\/(\d+)$/.exec(path);
  if (vm) {
    const pool = poolOfVm(access, vm[1]!);
    if (pool) paths.push(`/pool/${pool}`);
  }
  const storage = /^\/storage\/([^/]+)$/.exec(path);
  if (storage) {
    const pool = poolOfStorage(access, storage[1]!);
    if (pool) paths.push(`/pool/${pool}`);
  }
  const forUser = (p: string): Set<string> =>
    user === 'root@pam' ? new Set(ALL_PRIVILEGES) : privilegesOf(rolesOn(access, { user }, p), core);
  const userPrivs = new Set(paths.flatMap((p) => [...forUser(p)]));
  if (!token) return userPrivs;
  const info = user === 'root@pam' ? undefined : access.users[user]?.tokens[token];
  const privsep = info ? info.privsep : (rootTokens.get(core)?.get(token) ?? true);
  if (!privsep) return userPrivs;
  const tokenPrivs = new Set(
    paths.flatMap((p) => [...privilegesOf(rolesOn(access, { token: who }, p), core)]),
  );
  return new Set([...userPrivs].filter((p) => tokenPrivs.has(p)));
}

/** Privilege separation of root@pam's tokens made outside user.cfg (the datacenter's own token). */
const rootTokens = new WeakMap<SimCore, Map<string, boolean>>();
export function registerRootToken(core: SimCore, token: string, privsep: boolean): void {
  let map = rootTokens.get(core);
  if (!map) rootTokens.set(core, (map = new Map()));
  map.set(token, privsep);
}

/** Whether `who` has every privilege in `privs` (or, with `any`, one of them) on `path`. */
export function hasPrivileges(
  core: SimCore,
  who: string,
  path: string,
  privs: string[],
  any = false,
): boolean {
  const have = privileges(core, who, path);
  return any ? privs.some((p) => have.has(p)) : privs.every((p) => have.has(p));
}

/** RPCEnvironment::check: a 403 "Permission check failed (<path>, <privs>)". */
export function checkPrivileges(
  core: SimCore,
  who: string,
  path: string,
  privs: string[],
  any = false,
): void {
  if (!hasPrivileges(core, who, path, privs, any)) {
    throw new SimApiError(403, `Permission check failed (${path}, ${privs.join(any ? '|' : ', ')})`);
  }
}

/** The `cap` of a login reply: per area, the privileges the user has anywhere in it (1 each). */
export function capabilities(core: SimCore, user: string): Record<string, Record<string, number>> {
  const access = accessState(core);
  const areas: Record<string, string[]> = {
    vms: [
      '/vms',
      ...Object.keys(core.state.guests).map((id) => `/vms/${id}`),
      ...Object.keys(access.pools).map((p) => `/pool/${p}`),
    ],
    storage: ['/storage', ...Object.keys(core.state.storage).map((s) => `/storage/${s}`)],
    access: ['/access', '/access/groups'],
    nodes: ['/nodes', ...Object.keys(core.state.nodes).map((n) => `/nodes/${n}`)],
    dc: ['/', '/sdn'],
    sdn: ['/sdn'],
    mapping: ['/mapping'],
  };
  const prefix: Record<string, string[]> = {
    vms: ['VM.'],
    storage: ['Datastore.'],
    access: ['User.', 'Group.', 'Realm.', 'Permissions.'],
    nodes: ['Sys.'],
    dc: ['Sys.Audit', 'Sys.Modify', 'SDN.'],
    sdn: ['SDN.'],
    mapping: ['Mapping.'],
  };
  const cap: Record<string, Record<string, number>> = {};
  for (const [area, paths] of Object.entries(areas)) {
    const found: Record<string, number> = {};
    for (const path of paths)
      for (const p of privileges(core, user, path))
        if (prefix[area]!.some((x) => p.startsWith(x))) found[p] = 1;
    cap[area] = found;
  }
  return cap;
}
