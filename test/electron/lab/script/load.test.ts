import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatLoadError, type LabLoadError } from '../../../../electron/lab/script/load-error.ts';
import { loadLabFile, loadLabText } from '../../../../electron/lab/script/load.ts';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../fixtures/labs/${name}`, import.meta.url));

async function errorsOf(name: string): Promise<LabLoadError[]> {
  const result = await loadLabFile(fixture(name));
  if (result.ok) throw new Error(`${name} loaded without errors`);
  return result.errors;
}

/** `line:column field` of each error, the part a teacher's editor jumps to. */
const where = (errors: LabLoadError[]): string[] => errors.map((e) => `${e.line}:${e.column} ${e.field}`);

describe('lab loader', () => {
  it('loads the example lab with defaults applied', async () => {
    const result = await loadLabFile(fixture('good/mini-cluster/lab.yaml'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.lab.id).toBe('mini-cluster');
    expect(result.lab.steps.map((s) => s.id)).toEqual(['install-nodes', 'create-cluster', 'join-pve2']);
    const create = result.lab.steps[1];
    expect(create?.solve[0]).toMatchObject({
      action: 'api',
      method: 'POST',
      waitTask: true,
      timeoutSeconds: 120,
    });
    expect(result.lab.steps[0]?.checks[0]?.query.method).toBe('GET');
    expect(result.lab.profiles[0]?.machines[1]?.disks).toEqual([]);
  });

  it('loads a lab that uses every field and kind', async () => {
    const result = await loadLabFile(fixture('good/all-kinds/lab.yaml'));
    if (!result.ok) throw new Error(result.errors.map(formatLoadError).join('\n'));
    const kinds = result.lab.steps.flatMap((s) => s.solve.map((a) => a.action));
    expect(new Set(kinds)).toEqual(new Set(['api', 'shell', 'hypervisor', 'wait', 'task']));
    expect(result.lab.steps[2]?.drill).toMatchObject({
      target: { select: 'node-running', resource: 'vm:100' },
      observeIntervalSeconds: 0.5,
      expected: { fence: { minSeconds: 50, maxSeconds: 70 } },
    });
    expect(result.lab.steps[3]?.drill?.observeIntervalSeconds).toBe(1);
  });

  it('positions unknown keys at the key and suggests the right one', async () => {
    const errors = await errorsOf('broken/unknown-keys.yaml');
    expect(where(errors)).toEqual([
      '20:5 steps[0].instructions',
      '22:5 steps[0].instructons',
      '25:34 steps[0].checks[0].query.metod',
    ]);
    expect(errors[0]?.message).toBe('missing required field "instructions"');
    expect(errors[1]).toMatchObject({ message: 'unknown key "instructons"', didYouMean: 'instructions' });
    expect(errors[1]?.expected).toContain('instructions');
    expect(errors[2]?.didYouMean).toBe('method');
  });

  it('reports wrong types, enum values and missing discriminators with expected vs got', async () => {
    const errors = await errorsOf('broken/wrong-values.yaml');
    expect(where(errors)).toEqual([
      '2:10 version',
      '3:8 title.en',
      '15:15 profiles[0].machines[0].kind',
      '23:13 steps[0].checks',
      '25:17 steps[0].solve[0].action',
      '28:9 steps[0].solve[1]',
      '35:57 steps[1].checks[0].query.params.type',
    ]);
    expect(errors[0]).toMatchObject({ expected: 'number', got: '"one"' });
    expect(errors[1]?.message).toBe('missing required field "en"');
    expect(errors[2]).toMatchObject({ got: '"pvee"', didYouMean: 'pve' });
    expect(errors[2]?.expected).toBe('one of pve, truenas, nfs, tinycore');
    expect(errors[3]).toMatchObject({ expected: 'at least 1 item(s)', got: '0 item(s)' });
    expect(errors[4]).toMatchObject({ got: '"apii"', didYouMean: 'api' });
    expect(errors[5]?.message).toBe('missing "action"');
    expect(errors[6]).toMatchObject({
      message: 'matches none of the allowed forms',
      expected: 'string or number or boolean',
      got: 'a list',
    });
  });

  it('checks cross-references and expressions', async () => {
    const errors = await errorsOf('broken/bad-references.yaml');
    expect(where(errors)).toEqual([
      '18:27 profiles[0].machines[0].nics[0].network',
      '30:24 steps[0].checks[0].query.node',
      '31:17 steps[0].checks[0].expect',
      '35:25 steps[0].checks[0].observed.en',
      '38:15 steps[0].solve[0].node',
      '43:9 steps[1].id',
      '45:16 steps[1].appliesTo',
      '45:29 steps[1].appliesTo.profiles[0]',
      '67:15 steps[2].solve[1].upid',
      '77:7 steps[3].drill',
      '77:43 steps[3].drill.target.machine',
    ]);
    expect(errors[0]?.didYouMean).toBe('lab');
    expect(errors[1]?.message).toContain('"pve2" is not a Proxmox');
    expect(errors[2]?.message).toMatch(/invalid expression at character 20/);
    expect(errors[3]?.message).toBe('placeholder {{totl}} is not declared in observe');
    // A shell runs on a Proxmox node; the NAS is a machine but not a node.
    expect(errors[4]?.message).toContain('"nas" is not a Proxmox');
    expect(errors[5]?.message).toBe('duplicate step id "first"');
    expect(errors[7]?.didYouMean).toBe('sim');
    expect(errors[8]).toMatchObject({
      message: 'results.joininfo is not saved by an earlier action of this step (add save: joininfo)',
      didYouMean: 'joinInfo',
    });
    expect(errors[9]?.message).toMatch(/a drill whose target is a machine needs "resource"/);
    expect(errors[10]).toMatchObject({
      message: '"nass" is not a machine of profile "sim"',
      didYouMean: 'nas',
    });
  });

  it('reports YAML syntax errors and duplicate keys with their position', async () => {
    expect(where(await errorsOf('broken/yaml-syntax.yaml'))).toEqual(['4:1 ']);
    const dup = await errorsOf('broken/duplicate-key.yaml');
    expect(where(dup)).toEqual(['3:1 ']);
    expect(dup[0]?.message).toMatch(/unique/);
  });

  it('requires the id to match the folder of a lab.yaml', async () => {
    const text = await readFile(fixture('good/mini-cluster/lab.yaml'), 'utf8');
    expect(loadLabText(text, '/labs/mini-cluster/lab.yaml').ok).toBe(true);
    const result = loadLabText(text, '/labs/other-lab/lab.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(where(result.errors)).toEqual(['2:5 id']);
      expect(result.errors[0]).toMatchObject({ expected: '"other-lab"', got: '"mini-cluster"' });
    }
  });

  it('never throws: missing files, empty, scalar and huge input', async () => {
    const missing = await loadLabFile(fixture('nope/lab.yaml'));
    expect(missing.ok).toBe(false);
    if (!missing.ok)
      expect(formatLoadError(missing.errors[0]!)).toMatch(/lab\.yaml:1:1 cannot read the file \(ENOENT\)/);
    for (const text of ['', 'just a string', '- a\n- b', '{', 'a: *unknown', 'x'.repeat(2_000_000)]) {
      const result = loadLabText(text, 'x.yaml');
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.errors.length).toBeGreaterThan(0);
        for (const e of result.errors) expect(e.line).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('limits YAML alias expansion (billion laughs)', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(9)
          .fill(`*${i === 0 ? 'a' : 'bcdefghi'[i - 1]}`)
          .join(', ')}]`,
      );
    const result = loadLabText(bomb.join('\n'), 'bomb.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.message).toMatch(/alias/i);
  });

  it('formats errors as file:line:column field: message', async () => {
    const errors = await errorsOf('broken/unknown-keys.yaml');
    expect(formatLoadError(errors[1]!)).toMatch(
      /unknown-keys\.yaml:22:5 steps\[0\]\.instructons: unknown key "instructons" \(expected one of .*\) — did you mean "instructions"\?$/,
    );
  });
});
