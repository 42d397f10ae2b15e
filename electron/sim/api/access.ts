/**
 * `/access/…` (users, groups, tokens, realms, roles, ACLs, permissions) and `/pools`, over the
 * access model in ../access.ts, with pve-access-control's permission checks.
 */
import { randomUUID } from 'node:crypto';
import {
  accessState,
  BUILTIN_ROLES,
  checkPrivileges,
  hasPrivileges,
  privileges,
  splitTokenId,
  type AccessAcl,
  type AccessUser,
} from '../access.ts';
import { SimApiError, type SimRequestContext, type SimRoute } from '../http/route.ts';
import { assertWritable } from '../pmxcfs.ts';
import type { World } from '../world.ts';
import { bool, int, list, paramError, req, route, str } from './support.ts';

const USERID = /^[^\s:/@]+@(pam|pve)$/;

export function accessRoutes(world: World): SimRoute[] {
  const core = world.core;
  const access = (): ReturnType<typeof accessState> => accessState(core);
  const write = (ctx: SimRequestContext): void => assertWritable(core, ctx.node);
  /** A user may see and manage itself; others need User.Modify (or Sys.Audit to read) on /access/groups. */
  const mayManage = (ctx: SimRequestContext, userid: string, read = false): void => {
    if (splitTokenId(ctx.user).user === userid && !splitTokenId(ctx.user).token) return;
    checkPrivileges(
      core,
      ctx.user,
      '/access/groups',
      read ? ['User.Modify', 'Sys.Audit'] : ['User.Modify'],
      read,
    );
  };
  const userOrThrow = (userid: string): AccessUser => {
    const u = access().users[userid];
    if (!u) throw new SimApiError(500, `no such user ('${userid}')`);
    return u;
  };
  const userView = (userid: string, u: AccessUser): Record<string, unknown> => ({
    userid,
    enable: u.enable ? 1 : 0,
    expire: u.expire,
    ...(u.comment ? { comment: u.comment } : {}),
    ...(u.email ? { email: u.email } : {}),
    ...(u.firstname ? { firstname: u.firstname } : {}),
    ...(u.lastname ? { lastname: u.lastname } : {}),
    ...(u.groups.length ? { groups: u.groups.join(',') } : {}),
    tokens: Object.entries(u.tokens).map(([tokenid, t]) => ({
      tokenid,
      privsep: t.privsep ? 1 : 0,
      expire: t.expire,
      ...(t.comment ? { comment: t.comment } : {}),
    })),
  });
  const setGroups = (userid: string, groups: string[]): void => {
    for (const g of groups) if (!access().groups[g]) throw new SimApiError(500, `no such group '${g}'`);
    userOrThrow(userid).groups = [...new Set(groups)];
  };
  const aclView = (a: AccessAcl): Record<string, unknown> => ({
    path: a.path,
    type: a.type,
    ugid: a.ugid,
    roleid: a.roleid,
    propagate: a.propagate ? 1 : 0,
  });
  const poolView = (poolid: string): Record<string, unknown> => {
    const pool = access().pools[poolid]!;
    const members = pool.members.map((m) => {
      const [kind, id] = m.split('/') as [string, string];
      if (kind === 'storage')
        return { id: `storage/${ctxNode()}/${id}`, type: 'storage', storage: id, node: ctxNode() };
      const g = core.state.guests[id];
      return {
        id: `${g?.type ?? 'qemu'}/${id}`,
        type: g?.type ?? 'qemu',
        vmid: Number(id),
        node: g?.node ?? '',
        status: g?.running ? 'running' : 'stopped',
        name: g?.config.name ?? '',
      };
    });
    return { poolid, ...(pool.comment ? { comment: pool.comment } : {}), members };
  };
  let currentNode = '';
  const ctxNode = (): string => currentNode;
  const updatePool = (ctx: SimRequestContext, poolid: string): null => {
    const pool = access().pools[poolid];
    if (!pool) throw new SimApiError(500, `pool '${poolid}' does not exist`);
    checkPrivileges(core, ctx.user, `/pool/${poolid}`, ['Pool.Allocate']);
    write(ctx);
    const comment = str(ctx, 'comment');
    if (comment !== undefined) pool.comment = comment;
    const remove = bool(ctx, 'delete') ?? false;
    const vms = list(ctx, 'vms').map((v) => `vms/${v}`);
    const storage = list(ctx, 'storage').map((s) => `storage/${s}`);
    for (const member of [...vms, ...storage]) {
      if (remove) {
        pool.members = pool.members.filter((m) => m !== member);
        continue;
      }
      if (member.startsWith('vms/')) {
        const vmid = member.slice(4);
        if (!core.state.guests[vmid]) throw new SimApiError(500, `no such VM ${vmid}`);
        checkPrivileges(core, ctx.user, `/vms/${vmid}`, ['VM.Allocate']);
        const other = Object.entries(access().pools).find(
          ([id, p]) => id !== poolid && p.members.includes(member),
        );
        if (other && !bool(ctx, 'allow-move'))
          throw new SimApiError(
            500,
            `VM ${vmid} belongs already to pool '${other[0]}' and 'allow-move' is not set`,
          );
        if (other) other[1].members = other[1].members.filter((m) => m !== member);
      } else {
        checkPrivileges(core, ctx.user, `/${member}`, ['Datastore.Allocate']);
      }
      if (!pool.members.includes(member)) pool.members.push(member);
    }
    return null;
  };

  return [
    route('GET', '/access', () =>
      [
        'acl',
        'domains',
        'groups',
        'openid',
        'password',
        'permissions',
        'roles',
        'tfa',
        'ticket',
        'users',
      ].map((subdir) => ({ subdir })),
    ),
    route('GET', '/access/domains', () => [
      { realm: 'pam', type: 'pam', comment: 'Linux PAM standard authentication' },
      { realm: 'pve', type: 'pve', comment: 'Proxmox VE authentication server' },
    ]),
    route('GET', '/access/domains/{realm}', (ctx) => {
      const realm = req(ctx, 'realm');
      if (realm !== 'pam' && realm !== 'pve') throw new SimApiError(500, `domain '${realm}' does not exist`);
      return {
        type: realm,
        comment: realm === 'pam' ? 'Linux PAM standard authentication' : 'Proxmox VE authentication server',
        digest: '0'.repeat(40),
      };
    }),

    route('GET', '/access/users', (ctx) => {
      const enabled = bool(ctx, 'enabled');
      const out: Record<string, unknown>[] = [];
      const all: [string, AccessUser][] = [
        ['root@pam', { enable: true, expire: 0, groups: [], tokens: {}, comment: '' }],
        ...Object.entries(access().users),
      ];
      const seeAll = hasPrivileges(core, ctx.user, '/access/groups', ['User.Modify', 'Sys.Audit'], true);
      for (const [userid, u] of all) {
        if (!seeAll && userid !== splitTokenId(ctx.user).user) continue;
        if (enabled !== undefined && u.enable !== enabled) continue;
        out.push(userView(userid, u));
      }
      return out.sort((a, b) => String(a.userid).localeCompare(String(b.userid)));
    }),
    route('POST', '/access/users', (ctx) => {
      const userid = req(ctx, 'userid');
      if (!USERID.test(userid)) throw paramError('userid', 'value does not match the regex pattern');
      checkPrivileges(core, ctx.user, `/access/realm/${userid.split('@')[1]}`, ['Realm.AllocateUser']);
      write(ctx);
      if (userid === 'root@pam' || access().users[userid])
        throw new SimApiError(500, `create user failed: user '${userid}' already exists`);
      const password = str(ctx, 'password');
      if (password !== undefined && !userid.endsWith('@pve'))
        throw new SimApiError(500, `create user failed: can't set password for realm 'pam' here`);
      access().users[userid] = {
        enable: bool(ctx, 'enable') ?? true,
        expire: int(ctx, 'expire') ?? 0,
        groups: [],
        tokens: {},
        ...(password !== undefined ? { password } : {}),
        ...(str(ctx, 'comment') !== undefined ? { comment: str(ctx, 'comment') } : {}),
        ...(str(ctx, 'email') !== undefined ? { email: str(ctx, 'email') } : {}),
        ...(str(ctx, 'firstname') !== undefined ? { firstname: str(ctx, 'firstname') } : {}),
        ...(str(ctx, 'lastname') !== undefined ? { lastname: str(ctx, 'lastname') } : {}),
      };
      setGroups(userid, list(ctx, 'groups'));
      return null;
    }),
    route('GET', '/access/users/{userid}', (ctx) => {
      const userid = req(ctx, 'userid');
      mayManage(ctx, userid, true);
      if (userid === 'root@pam') return { enable: 1, expire: 0, tokens: {} };
      const u = userOrThrow(userid);
      const { userid: _id, tokens, ...view } = userView(userid, u);
      return {
        ...view,
        groups: u.groups,
        tokens: Object.fromEntries(
          (tokens as { tokenid: string }[]).map(({ tokenid, ...t }) => [tokenid, t]),
        ),
      };
    }),
    route('PUT', '/access/users/{userid}', (ctx) => {
      const userid = req(ctx, 'userid');
      mayManage(ctx, userid);
      write(ctx);
      const u = userOrThrow(userid);
      const enable = bool(ctx, 'enable');
      if (enable !== undefined) u.enable = enable;
      const expire = int(ctx, 'expire');
      if (expire !== undefined) u.expire = expire;
      for (const key of ['comment', 'email', 'firstname', 'lastname'] as const) {
        const v = str(ctx, key);
        if (v !== undefined) u[key] = v;
      }
      const groups = str(ctx, 'groups');
      if (groups !== undefined)
        setGroups(userid, [...(bool(ctx, 'append') ? u.groups : []), ...list(ctx, 'groups')]);
      return null;
    }),
    route('DELETE', '/access/users/{userid}', (ctx) => {
      const userid = req(ctx, 'userid');
      checkPrivileges(core, ctx.user, `/access/realm/${userid.split('@')[1]}`, ['Realm.AllocateUser']);
      write(ctx);
      userOrThrow(userid);
      delete access().users[userid];
      access().acl = access().acl.filter(
        (a) =>
          !(a.type === 'user' && a.ugid === userid) &&
          !(a.type === 'token' && a.ugid.startsWith(`${userid}!`)),
      );
      return null;
    }),

    route('GET', '/access/users/{userid}/token', (ctx) => {
      const userid = req(ctx, 'userid');
      mayManage(ctx, userid, true);
      return Object.entries(userOrThrow(userid).tokens).map(([tokenid, t]) => ({
        tokenid,
        privsep: t.privsep ? 1 : 0,
        expire: t.expire,
        ...(t.comment ? { comment: t.comment } : {}),
      }));
    }),
    route('GET', '/access/users/{userid}/token/{tokenid}', (ctx) => {
      const userid = req(ctx, 'userid');
      mayManage(ctx, userid, true);
      const t = userOrThrow(userid).tokens[req(ctx, 'tokenid')];
      if (!t) throw new SimApiError(500, `no such token '${req(ctx, 'tokenid')}' for user '${userid}'`);
      return { privsep: t.privsep ? 1 : 0, expire: t.expire, ...(t.comment ? { comment: t.comment } : {}) };
    }),
    route('POST', '/access/users/{userid}/token/{tokenid}', (ctx) => {
      const userid = req(ctx, 'userid');
      const tokenid = req(ctx, 'tokenid');
      mayManage(ctx, userid);
      write(ctx);
      if (userid === 'root@pam')
        throw new SimApiError(
          500,
          'the simulator keeps root@pam tokens outside user.cfg; create them for a PVE user',
        );
      const u = userOrThrow(userid);
      if (u.tokens[tokenid]) throw new SimApiError(500, `Token already exists.`);
      const secret = randomUUID();
      const privsep = bool(ctx, 'privsep') ?? true;
      const expire = int(ctx, 'expire') ?? u.expire;
      const comment = str(ctx, 'comment');
      u.tokens[tokenid] = { privsep, expire, secret, ...(comment !== undefined ? { comment } : {}) };
      return {
        'full-tokenid': `${userid}!${tokenid}`,
        info: { privsep: privsep ? 1 : 0, expire, ...(comment !== undefined ? { comment } : {}) },
        value: secret,
      };
    }),
    route('PUT', '/access/users/{userid}/token/{tokenid}', (ctx) => {
      const userid = req(ctx, 'userid');
      mayManage(ctx, userid);
      write(ctx);
      const t = userOrThrow(userid).tokens[req(ctx, 'tokenid')];
      if (!t) throw new SimApiError(500, `no such token '${req(ctx, 'tokenid')}' for user '${userid}'`);
      const privsep = bool(ctx, 'privsep');
      if (privsep !== undefined) t.privsep = privsep;
      const comment = str(ctx, 'comment');
      if (comment !== undefined) t.comment = comment;
      return { privsep: t.privsep ? 1 : 0, expire: t.expire };
    }),
    route('DELETE', '/access/users/{userid}/token/{tokenid}', (ctx) => {
      const userid = req(ctx, 'userid');
      const tokenid = req(ctx, 'tokenid');
      mayManage(ctx, userid);
      write(ctx);
      const u = userOrThrow(userid);
      if (!u.tokens[tokenid]) throw new SimApiError(500, `no such token '${tokenid}' for user '${userid}'`);
      delete u.tokens[tokenid];
      access().acl = access().acl.filter((a) => !(a.type === 'token' && a.ugid === `${userid}!${tokenid}`));
      return null;
    }),

    route('GET', '/access/groups', (ctx) =>
      Object.entries(access().groups)
        .filter(() => hasPrivileges(core, ctx.user, '/access/groups', ['Sys.Audit', 'Group.Allocate'], true))
        .map(([groupid, g]) => ({
          groupid,
          ...(g.comment ? { comment: g.comment } : {}),
          users: Object.entries(access().users)
            .filter(([, u]) => u.groups.includes(groupid))
            .map(([id]) => id)
            .join(','),
        })),
    ),
    route('POST', '/access/groups', (ctx) => {
      checkPrivileges(core, ctx.user, '/access/groups', ['Group.Allocate']);
      write(ctx);
      const groupid = req(ctx, 'groupid');
      if (access().groups[groupid])
        throw new SimApiError(500, `create group failed: group '${groupid}' already exists`);
      const comment = str(ctx, 'comment');
      access().groups[groupid] = comment !== undefined ? { comment } : {};
      return null;
    }),
    route('GET', '/access/groups/{groupid}', (ctx) => {
      checkPrivileges(core, ctx.user, '/access/groups', ['Sys.Audit', 'Group.Allocate'], true);
      const groupid = req(ctx, 'groupid');
      const g = access().groups[groupid];
      if (!g) throw new SimApiError(500, `group '${groupid}' does not exist`);
      return {
        ...(g.comment ? { comment: g.comment } : {}),
        members: Object.entries(access().users)
          .filter(([, u]) => u.groups.includes(groupid))
          .map(([id]) => id),
      };
    }),
    route('PUT', '/access/groups/{groupid}', (ctx) => {
      checkPrivileges(core, ctx.user, '/access/groups', ['Group.Allocate']);
      write(ctx);
      const g = access().groups[req(ctx, 'groupid')];
      if (!g) throw new SimApiError(500, `group '${req(ctx, 'groupid')}' does not exist`);
      const comment = str(ctx, 'comment');
      if (comment !== undefined) g.comment = comment;
      return null;
    }),
    route('DELETE', '/access/groups/{groupid}', (ctx) => {
      checkPrivileges(core, ctx.user, '/access/groups', ['Group.Allocate']);
      write(ctx);
      const groupid = req(ctx, 'groupid');
      if (!access().groups[groupid]) throw new SimApiError(500, `group '${groupid}' does not exist`);
      delete access().groups[groupid];
      for (const u of Object.values(access().users)) u.groups = u.groups.filter((g) => g !== groupid);
      access().acl = access().acl.filter((a) => !(a.type === 'group' && a.ugid === groupid));
      return null;
    }),

    route('GET', '/access/roles', () => [
      ...Object.entries(BUILTIN_ROLES).map(([roleid, privs]) => ({
        roleid,
        privs: privs.join(','),
        special: 1,
      })),
      ...Object.entries(core.state.roles ?? {}).map(([roleid, privs]) => ({
        roleid,
        privs: privs.join(','),
        special: 0,
      })),
    ]),
    route('GET', '/access/roles/{roleid}', (ctx) => {
      const roleid = req(ctx, 'roleid');
      const privs = BUILTIN_ROLES[roleid] ?? core.state.roles?.[roleid];
      if (!privs) throw new SimApiError(500, `role '${roleid}' does not exist`);
      return Object.fromEntries(privs.map((p) => [p, 1]));
    }),
    route('POST', '/access/roles', (ctx) => {
      checkPrivileges(core, ctx.user, '/access', ['Sys.Modify']);
      write(ctx);
      const roleid = req(ctx, 'roleid');
      if (BUILTIN_ROLES[roleid] || core.state.roles?.[roleid])
        throw new SimApiError(500, `role '${roleid}' already exists`);
      (core.state.roles ??= {})[roleid] = list(ctx, 'privs');
      return null;
    }),
    route('DELETE', '/access/roles/{roleid}', (ctx) => {
      checkPrivileges(core, ctx.user, '/access', ['Sys.Modify']);
      write(ctx);
      const roleid = req(ctx, 'roleid');
      if (BUILTIN_ROLES[roleid]) throw new SimApiError(500, `cannot delete special role '${roleid}'`);
      if (!core.state.roles?.[roleid]) throw new SimApiError(500, `role '${roleid}' does not exist`);
      delete core.state.roles[roleid];
      return null;
    }),

    route('GET', '/access/acl', (ctx) =>
      access()
        .acl.filter((a) => hasPrivileges(core, ctx.user, a.path, ['Sys.Audit', 'Permissions.Modify'], true))
        .map(aclView),
    ),
    route('PUT', '/access/acl', (ctx) => {
      const path = req(ctx, 'path');
      if (!path.startsWith('/')) throw paramError('path', 'invalid ACL path');
      checkPrivileges(core, ctx.user, path, ['Permissions.Modify']);
      write(ctx);
      const remove = bool(ctx, 'delete') ?? false;
      const propagate = bool(ctx, 'propagate') ?? true;
      const roles = list(ctx, 'roles');
      for (const role of roles)
        if (!BUILTIN_ROLES[role] && !core.state.roles?.[role])
          throw new SimApiError(500, `role '${role}' does not exist`);
      const subjects: [AccessAcl['type'], string][] = [
        ...list(ctx, 'users').map((u) => ['user', u] as [AccessAcl['type'], string]),
        ...list(ctx, 'groups').map((g) => ['group', g] as [AccessAcl['type'], string]),
        ...list(ctx, 'tokens').map((t) => ['token', t] as [AccessAcl['type'], string]),
      ];
      for (const [type, ugid] of subjects) {
        if (type === 'user' && ugid !== 'root@pam' && !access().users[ugid])
          throw new SimApiError(500, `user '${ugid}' does not exist`);
        if (type === 'group' && !access().groups[ugid])
          throw new SimApiError(500, `group '${ugid}' does not exist`);
        if (type === 'token') {
          const { user, token } = splitTokenId(ugid);
          if (!token || !access().users[user]?.tokens[token])
            throw new SimApiError(500, `no such token '${token ?? ''}' for user '${user}'`);
        }
        for (const roleid of roles) {
          access().acl = access().acl.filter(
            (a) => !(a.path === path && a.type === type && a.ugid === ugid && a.roleid === roleid),
          );
          if (!remove) access().acl.push({ path, type, ugid, roleid, propagate });
        }
      }
      return null;
    }),
    route('GET', '/access/permissions', (ctx) => {
      const userid = str(ctx, 'userid') ?? ctx.user;
      if (userid !== ctx.user && !userid.startsWith(`${ctx.user}!`))
        checkPrivileges(core, ctx.user, '/access', ['Sys.Audit']);
      const wanted = str(ctx, 'path');
      const paths = wanted
        ? [wanted]
        : [
            '/',
            '/access',
            '/access/groups',
            '/nodes',
            '/storage',
            '/vms',
            ...new Set(access().acl.map((a) => a.path)),
            ...Object.keys(core.state.guests).map((id) => `/vms/${id}`),
          ];
      const out: Record<string, Record<string, number>> = {};
      for (const path of [...new Set(paths)]) {
        const privs = privileges(core, userid, path);
        if (privs.size > 0) out[path] = Object.fromEntries([...privs].sort().map((p) => [p, 1]));
      }
      return out;
    }),

    route('GET', '/pools', (ctx) => {
      currentNode = ctx.node;
      const only = str(ctx, 'poolid');
      return Object.keys(access().pools)
        .filter((id) => !only || id === only)
        .filter((id) => hasPrivileges(core, ctx.user, `/pool/${id}`, ['Pool.Audit', 'Pool.Allocate'], true))
        .map((id) =>
          only
            ? poolView(id)
            : {
                poolid: id,
                ...(access().pools[id]!.comment ? { comment: access().pools[id]!.comment } : {}),
              },
        );
    }),
    route('POST', '/pools', (ctx) => {
      const poolid = req(ctx, 'poolid');
      checkPrivileges(core, ctx.user, `/pool/${poolid}`, ['Pool.Allocate']);
      write(ctx);
      if (!/^[A-Za-z0-9.\-_]+$/.test(poolid)) throw paramError('poolid', 'invalid pool ID');
      if (access().pools[poolid])
        throw new SimApiError(500, `create pool failed: pool '${poolid}' already exists`);
      const comment = str(ctx, 'comment');
      access().pools[poolid] = { members: [], ...(comment !== undefined ? { comment } : {}) };
      return null;
    }),
    route('PUT', '/pools', (ctx) => updatePool(ctx, req(ctx, 'poolid'))),
    route('DELETE', '/pools', (ctx) => deletePool(ctx, req(ctx, 'poolid'))),
    route('GET', '/pools/{poolid}', (ctx) => {
      currentNode = ctx.node;
      const poolid = req(ctx, 'poolid');
      if (!access().pools[poolid]) throw new SimApiError(500, `pool '${poolid}' does not exist`);
      checkPrivileges(core, ctx.user, `/pool/${poolid}`, ['Pool.Audit', 'Pool.Allocate'], true);
      const { poolid: _id, ...view } = poolView(poolid);
      return view;
    }),
    route('PUT', '/pools/{poolid}', (ctx) => updatePool(ctx, req(ctx, 'poolid'))),
    route('DELETE', '/pools/{poolid}', (ctx) => deletePool(ctx, req(ctx, 'poolid'))),
  ];

  function deletePool(ctx: SimRequestContext, poolid: string): null {
    const pool = access().pools[poolid];
    if (!pool) throw new SimApiError(500, `pool '${poolid}' does not exist`);
    checkPrivileges(core, ctx.user, `/pool/${poolid}`, ['Pool.Allocate']);
    write(ctx);
    if (pool.members.length > 0) throw new SimApiError(500, 'delete pool failed: pool is not empty!');
    delete access().pools[poolid];
    access().acl = access().acl.filter((a) => a.path !== `/pool/${poolid}`);
    return null;
  }
}
