import { describe, expect, it } from 'vitest';
import { ApiSchema } from '../../../../electron/sim/http/api-schema.ts';
import { validateParams } from '../../../../electron/sim/http/param-validation.ts';

const schema9 = new ApiSchema(9);
const endpoint = (method: string, path: string) => {
  const found = schema9.endpoint(method, path);
  if (!found) throw new Error(`${method} ${path} not in schema`);
  return found;
};

describe('validateParams', () => {
  it('coerces form strings to the declared types', () => {
    const { params, errors } = validateParams(endpoint('POST', '/cluster/ha/resources'), {
      sid: 'vm:100',
      max_restart: '3',
      failback: 'no',
      state: 'started',
    });
    expect(errors).toEqual({});
    expect(params).toEqual({ sid: 'vm:100', max_restart: 3, failback: false, state: 'started' });
  });

  it('checks named formats with PVE messages', () => {
    const create = endpoint('POST', '/cluster/config');
    expect(validateParams(create, { clustername: 'bad name' }).errors).toEqual({
      clustername: 'value does not look like a valid node name',
    });
    const join = endpoint('POST', '/cluster/config/join');
    expect(
      validateParams(join, { hostname: '10.0.0.1', password: 'x', fingerprint: 'AB:CD' }).errors,
    ).toEqual({
      fingerprint: 'value does not match the regex pattern',
    });
  });

  it('resolves indexed parameters and parses their property strings', () => {
    const create = endpoint('POST', '/cluster/config');
    expect(validateParams(create, { clustername: 'lab', link0: '10.0.0.1,priority=10' })).toEqual({
      params: { clustername: 'lab', link0: '10.0.0.1,priority=10' },
      errors: {},
    });
    expect(
      validateParams(create, { clustername: 'lab', link0: 'address=10.0.0.1,priority=300' }).errors,
    ).toEqual({
      link0: 'invalid format - format error\nlink0.priority: value must have a maximum value of 255',
    });
    expect(validateParams(create, { clustername: 'lab', link0: 'speed=1' }).errors).toEqual({
      link0: 'invalid format - invalid key in comma-separated list property: speed',
    });
  });

  it('understands key aliases in property strings (virtio=<mac>)', () => {
    const qemu = endpoint('POST', '/nodes/{node}/qemu');
    expect(
      validateParams(qemu, { node: 'n1', vmid: '100', net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0' }).errors,
    ).toEqual({});
    expect(
      validateParams(qemu, { node: 'n1', vmid: '100', net0: 'virtio=01:00:00:00:00:01' }).errors,
    ).toEqual({
      net0: 'invalid format - format error\nnet0.macaddr: value does not look like a valid unicast MAC address',
    });
  });

  it('reports parameters that require another one', () => {
    const ticket = endpoint('POST', '/access/ticket');
    expect(validateParams(ticket, { username: 'root@pam', password: 'x', path: '/' }).errors).toEqual({
      privs: "missing property - 'path' requires this property",
    });
  });

  it('accepts repeated keys for array parameters and rejects them for scalars', () => {
    const exec = endpoint('POST', '/nodes/{node}/qemu/{vmid}/agent/exec');
    expect(
      validateParams(exec, { node: 'n1', vmid: '100', command: ['ls', '-l'] }).params['command'],
    ).toEqual(['ls', '-l']);
    const create = endpoint('POST', '/cluster/config');
    expect(validateParams(create, { clustername: ['a', 'b'] }).errors).toEqual({
      clustername: "type check ('string') failed - got ARRAY",
    });
  });

  it('knows which parameters a release has', () => {
    const pve8 = new ApiSchema(8);
    expect(pve8.endpoint('POST', '/cluster/ha/rules')).toBeUndefined();
    expect(Object.keys(pve8.endpoint('POST', '/cluster/ha/resources')!.parameters)).not.toContain('failback');
    expect(Object.keys(schema9.endpoint('POST', '/cluster/ha/resources')!.parameters)).toContain('failback');
    // `maxfiles` left the storage API in 9.0: PVE 8 still takes it, PVE 9 refuses it.
    const storage = { storage: 'nas', type: 'nfs', server: '10.0.0.5', export: '/x', maxfiles: '3' };
    expect(validateParams(pve8.endpoint('POST', '/storage')!, storage).errors).toEqual({});
    expect(validateParams(schema9.endpoint('POST', '/storage')!, storage).errors).toEqual({
      maxfiles: 'property is not defined in schema and the schema does not allow additional properties',
    });
    expect(schema9.matchPath('/nodes/n1/qemu/100/status/current')).toEqual({
      template: '/nodes/{node}/qemu/{vmid}/status/current',
      pathParams: { node: 'n1', vmid: '100' },
    });
    expect(schema9.matchPath('/cluster/ha/status/current')?.template).toBe('/cluster/ha/status/current');
  });
});
