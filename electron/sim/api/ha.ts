/**
 * `/cluster/ha/…`: resources (CRUD, migrate, relocate), rules (PVE 9), groups (PVE 8; refused on
 * PVE 9 exactly as upstream), and the status views.
 */
import { applyCrmCommand } from '../ha/ha-requests.ts';
import {
  addResource,
  assertGroupsAllowed,
  formatNodeList,
  HaConfigError,
  parseNodeList,
  parseSid,
  putGroup,
  putRule,
  removeResource,
  updateResource,
} from '../ha/resources-config.ts';
import { SimApiError, type SimRequestContext, type SimRoute } from '../http/route.ts';
import { assertIfModified, digestOf, sectionConfigText } from '../config-digest.ts';
import { assertWritable } from '../pmxcfs.ts';
import type { HaGroup, HaResourceConfig, HaRule } from '../state.ts';
import type { World } from '../world.ts';
import { bool, int, list, paramError, req, route, str } from './support.ts';

export function haRoutes(world: World): SimRoute[] {
  const core = world.core;
  const pve9 = (): boolean => core.state.pveMajor >= 9;

  // What resources.cfg holds: keys left at their defaults are not written, so reads do not show
  // them (pve-ha-manager API2/HA/Resources.pm returns the stored section plus sid/type/digest).
  const storedResource = (r: HaResourceConfig): Record<string, unknown> => ({
    ...(r.state !== 'started' ? { state: r.state } : {}),
    ...(r.max_restart !== 1 ? { max_restart: r.max_restart } : {}),
    ...(r.max_relocate !== 1 ? { max_relocate: r.max_relocate } : {}),
    ...(pve9() && !r.failback ? { failback: 0 } : {}),
    ...(r.group ? { group: r.group } : {}),
    ...(r.comment ? { comment: r.comment } : {}),
  });
  const resourcesDigest = (): string =>
    digestOf(
      sectionConfigText(
        Object.values(core.state.ha.resources).map((r) => ({
          type: r.type,
          id: r.sid.split(':')[1]!,
          values: storedResource(r),
        })),
      ),
    );
  const resourceView = (r: HaResourceConfig): Record<string, unknown> => ({
    sid: r.sid,
    type: r.type,
    ...storedResource(r),
    digest: resourcesDigest(),
  });

  const ruleView = (r: HaRule): Record<string, unknown> => ({
    rule: r.rule,
    order: Object.keys(core.state.ha.rules).indexOf(r.rule) + 1,
    type: r.type,
    resources: r.resources.join(','),
    ...(r.type === 'node-affinity'
      ? { nodes: formatNodeList(r.nodes), strict: r.strict ? 1 : 0 }
      : { affinity: r.affinity }),
    ...(r.disable ? { disable: 1 } : {}),
    ...(r.comment ? { comment: r.comment } : {}),
    digest: rulesDigest(),
  });
  const rulesDigest = (): string =>
    digestOf(
      sectionConfigText(
        Object.values(core.state.ha.rules).map((r) => ({
          type: r.type,
          id: r.rule,
          values: {
            ...r,
            rule: undefined,
            type: undefined,
            nodes: r.type === 'node-affinity' ? formatNodeList(r.nodes) : undefined,
          },
        })),
      ),
    );

  const groupView = (g: HaGroup): Record<string, unknown> => ({
    group: g.group,
    type: 'group',
    nodes: formatNodeList(g.nodes),
    restricted: g.restricted ? 1 : 0,
    nofailback: g.nofailback ? 1 : 0,
    ...(g.comment ? { comment: g.comment } : {}),
    digest: groupsDigest(),
  });
  const groupsDigest = (): string =>
    digestOf(
      sectionConfigText(
        Object.values(core.state.ha.groups).map((g) => ({
          type: 'group',
          id: g.group,
          values: { ...g, group: undefined, nodes: formatNodeList(g.nodes) },
        })),
      ),
    );

  const rulesOnly = (ctx: SimRequestContext): void => {
    if (!pve9())
      throw new SimApiError(
        501,
        `Method '${ctx.pathParams.rule ? 'GET /cluster/ha/rules/{rule}' : 'GET /cluster/ha/rules'}' not implemented`,
      );
  };

  const ruleFromParams = (ctx: SimRequestContext, existing?: HaRule): HaRule => {
    const id = req(ctx, 'rule');
    const type = existing?.type ?? req(ctx, 'type');
    const resourcesRaw = str(ctx, 'resources');
    const resources =
      resourcesRaw !== undefined
        ? resourcesRaw
            .split(/[,\s]+/)
            .filter(Boolean)
            .map((s) => parseSid(core, s).sid)
        : existing?.resources;
    if (!resources) throw paramError('resources', 'property is missing and it is not optional');
    const comment = str(ctx, 'comment') ?? existing?.comment;
    const disable = bool(ctx, 'disable') ?? existing?.disable;
    const deletes = list(ctx, 'delete');
    const common = {
      rule: id,
      resources,
      ...(comment !== undefined && !deletes.includes('comment') ? { comment } : {}),
      ...(disable && !deletes.includes('disable') ? { disable } : {}),
    };
    if (type === 'node-affinity') {
      const nodesRaw = str(ctx, 'nodes');
      const nodes =
        nodesRaw !== undefined
          ? parseNodeList(nodesRaw)
          : existing?.type === 'node-affinity'
            ? existing.nodes
            : undefined;
      if (!nodes) throw paramError('nodes', 'property is missing and it is not optional');
      const strict = bool(ctx, 'strict') ?? (existing?.type === 'node-affinity' ? existing.strict : false);
      return { type, ...common, nodes, strict: deletes.includes('strict') ? false : strict };
    }
    if (type === 'resource-affinity') {
      const affinity =
        str(ctx, 'affinity') ?? (existing?.type === 'resource-affinity' ? existing.affinity : undefined);
      if (affinity !== 'positive' && affinity !== 'negative')
        throw paramError('affinity', 'property is missing and it is not optional');
      return { type, ...common, affinity };
    }
    throw paramError(
      'type',
      `value '${type}' does not have a value in the enumeration 'node-affinity, resource-affinity'`,
    );
  };

  const groupFromParams = (ctx: SimRequestContext, existing?: HaGroup): HaGroup => {
    const id = req(ctx, 'group');
    const nodesRaw = str(ctx, 'nodes');
    const nodes = nodesRaw !== undefined ? parseNodeList(nodesRaw) : existing?.nodes;
    if (!nodes) throw paramError('nodes', 'property is missing and it is not optional');
    const comment = str(ctx, 'comment') ?? existing?.comment;
    return {
      group: id,
      nodes,
      restricted: bool(ctx, 'restricted') ?? existing?.restricted ?? false,
      nofailback: bool(ctx, 'nofailback') ?? existing?.nofailback ?? false,
      ...(comment !== undefined && !list(ctx, 'delete').includes('comment') ? { comment } : {}),
    };
  };

  const findResource = (ctx: SimRequestContext): HaResourceConfig => {
    const { sid } = parseSid(core, req(ctx, 'sid'));
    const r = core.state.ha.resources[sid];
    if (!r) throw new HaConfigError(`no such resource '${sid}'`);
    return r;
  };

  const move = (cmd: 'migrate' | 'relocate') => (ctx: SimRequestContext) => {
    const r = findResource(ctx);
    const target = req(ctx, 'node');
    applyCrmCommand(core, ctx.node, `${cmd} ${r.sid} ${target}`);
    return pve9() ? { sid: r.sid, 'requested-node': target } : null;
  };

  return [
    route('GET', '/cluster/ha', () => [
      { id: 'status' },
      { id: 'resources' },
      { id: pve9() ? 'rules' : 'groups' },
    ]),
    route('GET', '/cluster/ha/resources', (ctx) => {
      const type = str(ctx, 'type');
      return Object.values(core.state.ha.resources)
        .filter((r) => !type || r.type === type)
        .sort((a, b) => a.sid.localeCompare(b.sid))
        .map(resourceView);
    }),
    route('POST', '/cluster/ha/resources', (ctx) => {
      const input = {
        state: str(ctx, 'state'),
        max_restart: int(ctx, 'max_restart'),
        max_relocate: int(ctx, 'max_relocate'),
        failback: pve9() ? bool(ctx, 'failback') : undefined,
        group: str(ctx, 'group'),
        comment: str(ctx, 'comment'),
      };
      addResource(core, ctx.node, req(ctx, 'sid'), input);
      return null;
    }),
    route('GET', '/cluster/ha/resources/{sid}', (ctx) => resourceView(findResource(ctx))),
    route('PUT', '/cluster/ha/resources/{sid}', (ctx) => {
      const { sid } = parseSid(core, req(ctx, 'sid'));
      const state = str(ctx, 'state');
      assertIfModified(str(ctx, 'digest'), resourcesDigest());
      if (core.state.ha.manager.service_status[sid]?.state === 'error' && state !== 'disabled')
        throw new HaConfigError(`service '${sid}' in error state, must be disabled and fixed first`);
      updateResource(core, ctx.node, sid, {
        state,
        max_restart: int(ctx, 'max_restart'),
        max_relocate: int(ctx, 'max_relocate'),
        failback: pve9() ? bool(ctx, 'failback') : undefined,
        group: str(ctx, 'group'),
        comment: str(ctx, 'comment'),
        delete: list(ctx, 'delete'),
      });
      return null;
    }),
    route('DELETE', '/cluster/ha/resources/{sid}', (ctx) => {
      removeResource(core, ctx.node, req(ctx, 'sid'));
      return null;
    }),
    route('POST', '/cluster/ha/resources/{sid}/migrate', move('migrate')),
    route('POST', '/cluster/ha/resources/{sid}/relocate', move('relocate')),

    route('GET', '/cluster/ha/rules', (ctx) => {
      rulesOnly(ctx);
      const type = str(ctx, 'type');
      const resource = str(ctx, 'resource');
      return Object.values(core.state.ha.rules)
        .filter((r) => !type || r.type === type)
        .filter((r) => !resource || r.resources.includes(resource))
        .sort((a, b) => a.rule.localeCompare(b.rule))
        .map(ruleView);
    }),
    route('POST', '/cluster/ha/rules', (ctx) => {
      rulesOnly(ctx);
      putRule(core, ctx.node, ruleFromParams(ctx), true);
      return null;
    }),
    route('GET', '/cluster/ha/rules/{rule}', (ctx) => {
      rulesOnly(ctx);
      const r = core.state.ha.rules[req(ctx, 'rule')];
      if (!r) throw new HaConfigError(`no such ha rule '${req(ctx, 'rule')}'`);
      return ruleView(r);
    }),
    route('PUT', '/cluster/ha/rules/{rule}', (ctx) => {
      rulesOnly(ctx);
      const existing = core.state.ha.rules[req(ctx, 'rule')];
      if (!existing)
        throw new HaConfigError(`update HA rules failed: HA rule '${req(ctx, 'rule')}' does not exist`);
      const type = str(ctx, 'type');
      if (type && type !== existing.type) throw paramError('type', `rule type cannot be changed`);
      assertIfModified(str(ctx, 'digest'), rulesDigest());
      putRule(core, ctx.node, ruleFromParams(ctx, existing), false);
      return null;
    }),
    route('DELETE', '/cluster/ha/rules/{rule}', (ctx) => {
      rulesOnly(ctx);
      const id = req(ctx, 'rule');
      assertWritable(core, ctx.node);
      delete core.state.ha.rules[id];
      return null;
    }),

    route('GET', '/cluster/ha/groups', () => {
      assertGroupsAllowed(core, 'index groups');
      return Object.values(core.state.ha.groups).map(groupView);
    }),
    route('POST', '/cluster/ha/groups', (ctx) => {
      assertGroupsAllowed(core, 'create group');
      putGroup(core, ctx.node, groupFromParams(ctx), true);
      return null;
    }),
    route('GET', '/cluster/ha/groups/{group}', (ctx) => {
      assertGroupsAllowed(core, 'read group');
      const g = core.state.ha.groups[req(ctx, 'group')];
      if (!g) throw new HaConfigError(`no such ha group '${req(ctx, 'group')}'`);
      return groupView(g);
    }),
    route('PUT', '/cluster/ha/groups/{group}', (ctx) => {
      assertGroupsAllowed(core, 'update group');
      const g = core.state.ha.groups[req(ctx, 'group')];
      if (!g) throw new HaConfigError(`no such ha group '${req(ctx, 'group')}'`);
      assertIfModified(str(ctx, 'digest'), groupsDigest());
      putGroup(core, ctx.node, groupFromParams(ctx, g), false);
      return null;
    }),
    route('DELETE', '/cluster/ha/groups/{group}', (ctx) => {
      assertGroupsAllowed(core, 'delete group');
      const id = req(ctx, 'group');
      // pve-ha-manager API2/HA/Groups.pm: no existence check; a group in use is refused inside
      // lock_ha_domain, which prefixes its error message.
      const user = Object.values(core.state.ha.resources).find((r) => r.group === id);
      if (user) throw new HaConfigError(`delete ha group failed: ha group is used by service '${user.sid}'`);
      assertWritable(core, ctx.node);
      delete core.state.ha.groups[id];
      return null;
    }),

    route('GET', '/cluster/ha/status', () => [{ name: 'current' }, { name: 'manager_status' }]),
    route('GET', '/cluster/ha/status/current', (ctx) => world.haStatus(ctx.node)),
    route('GET', '/cluster/ha/status/manager_status', (ctx) => world.managerStatus(ctx.node)),
  ];
}
