/**
 * The `permissions` stanzas of the upstream API handlers for the routes the simulator serves
 * (qemu-server API2/Qemu.pm, pve-container, pve-storage API2/Storage/*.pm, pve-manager
 * API2/Cluster.pm and Nodes.pm, pve-ha-manager API2/HA/*.pm): which privilege on which path a call
 * needs. Lists that upstream filters per item (`/cluster/resources`, VM lists, storage lists)
 * filter in their handlers. Access routes check in their own handlers.
 */
import { checkPrivileges } from '../access.ts';
import type { SimRequestContext, SimRoute } from '../http/route.ts';
import type { World } from '../world.ts';

type Check = (ctx: SimRequestContext) => [path: string, privs: string[], any?: boolean] | undefined;

const vm =
  (privs: string[], any = false): Check =>
  (ctx) => [`/vms/${ctx.pathParams['vmid'] ?? String(ctx.params['vmid'] ?? '')}`, privs, any];
const node =
  (privs: string[]): Check =>
  (ctx) => [`/nodes/${ctx.pathParams['node'] ?? ctx.node}`, privs];
const storage =
  (privs: string[], any = false): Check =>
  (ctx) => [`/storage/${ctx.pathParams['storage'] ?? String(ctx.params['storage'] ?? '')}`, privs, any];
const root =
  (privs: string[]): Check =>
  () => ['/', privs];

/** Which VM.Config.* privilege a config option needs (qemu-server check_vm_modify_config_perm). */
function configPrivilege(key: string): string {
  if (/^net\d+$/.test(key)) return 'VM.Config.Network';
  if (/^(scsi|sata|ide|virtio|efidisk|tpmstate|unused|mp)\d+$|^rootfs$/.test(key)) return 'VM.Config.Disk';
  if (['memory', 'balloon', 'shares', 'swap'].includes(key)) return 'VM.Config.Memory';
  if (['cores', 'sockets', 'cpu', 'cpulimit', 'cpuunits', 'vcpus', 'numa'].includes(key))
    return 'VM.Config.CPU';
  if (['ciuser', 'cipassword', 'ipconfig0', 'sshkeys', 'nameserver', 'searchdomain'].includes(key))
    return 'VM.Config.Cloudinit';
  if (['scsihw', 'machine', 'bios', 'vga', 'ostype', 'agent'].includes(key)) return 'VM.Config.HWType';
  return 'VM.Config.Options';
}

const configChange: Check = (ctx) => {
  const privs = new Set<string>();
  for (const key of [
    ...Object.keys(ctx.params),
    ...String(ctx.params['delete'] ?? '')
      .split(/[,;\s]+/)
      .filter(Boolean),
  ]) {
    if (['digest', 'delete', 'skiplock', 'background_delay', 'revert', 'force'].includes(key)) continue;
    privs.add(configPrivilege(key));
  }
  return [`/vms/${ctx.pathParams['vmid']}`, [...(privs.size > 0 ? privs : new Set(['VM.Config.Options']))]];
};

const GUEST: Record<string, Check> = {
  'GET {base}/{vmid}': vm(['VM.Audit']),
  'GET {base}/{vmid}/config': vm(['VM.Audit']),
  'GET {base}/{vmid}/status': vm(['VM.Audit']),
  'GET {base}/{vmid}/status/current': vm(['VM.Audit']),
  'PUT {base}/{vmid}/config': configChange,
  'POST {base}/{vmid}/config': configChange,
  'DELETE {base}/{vmid}': vm(['VM.Allocate']),
  'POST {base}/{vmid}/status/start': vm(['VM.PowerMgmt']),
  'POST {base}/{vmid}/status/stop': vm(['VM.PowerMgmt']),
  'POST {base}/{vmid}/status/shutdown': vm(['VM.PowerMgmt']),
  'POST {base}/{vmid}/status/reboot': vm(['VM.PowerMgmt']),
  'POST {base}/{vmid}/status/reset': vm(['VM.PowerMgmt']),
  'POST {base}/{vmid}/status/suspend': vm(['VM.PowerMgmt']),
  'POST {base}/{vmid}/status/resume': vm(['VM.PowerMgmt']),
  'GET {base}/{vmid}/migrate': vm(['VM.Migrate']),
  'POST {base}/{vmid}/migrate': vm(['VM.Migrate']),
  'GET {base}/{vmid}/snapshot': vm(['VM.Audit']),
  'POST {base}/{vmid}/snapshot': vm(['VM.Snapshot']),
  'GET {base}/{vmid}/snapshot/{snapname}': vm(['VM.Audit']),
  'GET {base}/{vmid}/snapshot/{snapname}/config': vm(['VM.Audit']),
  'PUT {base}/{vmid}/snapshot/{snapname}/config': vm(['VM.Snapshot']),
  'POST {base}/{vmid}/snapshot/{snapname}/rollback': vm(['VM.Snapshot', 'VM.Snapshot.Rollback'], true),
  'DELETE {base}/{vmid}/snapshot/{snapname}': vm(['VM.Snapshot']),
  'PUT {base}/{vmid}/resize': vm(['VM.Config.Disk']),
  'PUT {base}/{vmid}/sendkey': vm(['VM.Console']),
  'POST {base}/{vmid}/agent/ping': vm(['VM.GuestAgent.Audit', 'VM.Monitor'], true),
};

const OTHER: Record<string, Check> = {
  'GET /cluster/status': root(['Sys.Audit']),
  'GET /cluster/options': root(['Sys.Audit']),
  'PUT /cluster/options': root(['Sys.Modify']),
  'GET /cluster/log': root(['Sys.Syslog']),
  'GET /cluster/config': root(['Sys.Audit']),
  'GET /cluster/config/nodes': root(['Sys.Audit']),
  'GET /cluster/config/join': root(['Sys.Audit']),
  'GET /cluster/ha': root(['Sys.Audit']),
  'GET /cluster/ha/resources': root(['Sys.Audit']),
  'GET /cluster/ha/resources/{sid}': root(['Sys.Audit']),
  'POST /cluster/ha/resources': root(['Sys.Console']),
  'PUT /cluster/ha/resources/{sid}': root(['Sys.Console']),
  'DELETE /cluster/ha/resources/{sid}': root(['Sys.Console']),
  'POST /cluster/ha/resources/{sid}/migrate': root(['Sys.Console']),
  'POST /cluster/ha/resources/{sid}/relocate': root(['Sys.Console']),
  'GET /cluster/ha/rules': root(['Sys.Audit']),
  'GET /cluster/ha/rules/{rule}': root(['Sys.Audit']),
  'POST /cluster/ha/rules': root(['Sys.Console']),
  'PUT /cluster/ha/rules/{rule}': root(['Sys.Console']),
  'DELETE /cluster/ha/rules/{rule}': root(['Sys.Console']),
  'GET /cluster/ha/groups': root(['Sys.Audit']),
  'GET /cluster/ha/groups/{group}': root(['Sys.Audit']),
  'POST /cluster/ha/groups': root(['Sys.Console']),
  'PUT /cluster/ha/groups/{group}': root(['Sys.Console']),
  'DELETE /cluster/ha/groups/{group}': root(['Sys.Console']),
  'GET /cluster/ha/status': root(['Sys.Audit']),
  'GET /cluster/ha/status/current': root(['Sys.Audit']),
  'GET /cluster/ha/status/manager_status': root(['Sys.Audit']),
  'GET /nodes/{node}/status': node(['Sys.Audit']),
  'POST /nodes/{node}/status': node(['Sys.PowerMgmt']),
  'GET /nodes/{node}/scan/nfs': node(['Datastore.Allocate']),
  'POST /storage': () => ['/storage', ['Datastore.Allocate']],
  'GET /storage/{storage}': storage(['Datastore.Allocate']),
  'PUT /storage/{storage}': storage(['Datastore.Allocate']),
  'DELETE /storage/{storage}': storage(['Datastore.Allocate']),
  'GET /nodes/{node}/storage/{storage}': storage(['Datastore.Audit', 'Datastore.AllocateSpace'], true),
  'GET /nodes/{node}/storage/{storage}/status': storage(['Datastore.Audit', 'Datastore.AllocateSpace'], true),
  'GET /nodes/{node}/storage/{storage}/content': storage(
    ['Datastore.Audit', 'Datastore.AllocateSpace'],
    true,
  ),
  'GET /nodes/{node}/storage/{storage}/content/{volume}': storage(
    ['Datastore.Audit', 'Datastore.AllocateSpace'],
    true,
  ),
  'PUT /nodes/{node}/storage/{storage}/content/{volume}': storage(['Datastore.Allocate']),
  'DELETE /nodes/{node}/storage/{storage}/content/{volume}': storage(['Datastore.Allocate']),
  'POST /nodes/{node}/storage/{storage}/upload': storage(['Datastore.AllocateTemplate']),
  'POST /nodes/{node}/storage/{storage}/download-url': storage(['Datastore.AllocateTemplate']),
};

/** VM create: VM.Allocate on /vms/<id>, or on /pool/<pool> when a pool is given (Qemu.pm create_vm). */
const CREATE: Check = (ctx) => {
  const pool = ctx.params['pool'];
  return pool !== undefined
    ? [`/pool/${String(pool)}`, ['VM.Allocate']]
    : [`/vms/${String(ctx.params['vmid'] ?? '')}`, ['VM.Allocate']];
};

export function permissionCheck(method: string, path: string): Check | undefined {
  const guest = /^\/nodes\/\{node\}\/(qemu|lxc)(\/.*)?$/.exec(path);
  if (guest) {
    if (method === 'POST' && guest[2] === undefined) return CREATE;
    return GUEST[`${method} {base}${guest[2] ?? ''}`];
  }
  return OTHER[`${method} ${path}`];
}

/** Wraps each route with its permission check (root@pam passes every one). */
export function withPermissions(world: World, routes: SimRoute[]): SimRoute[] {
  return routes.map((r) => {
    const check = permissionCheck(r.method, r.path);
    if (!check) return r;
    return {
      ...r,
      handle(ctx) {
        const needed = check(ctx);
        if (needed) checkPrivileges(world.core, ctx.user, needed[0], needed[1], needed[2] ?? false);
        return r.handle(ctx);
      },
    };
  });
}
