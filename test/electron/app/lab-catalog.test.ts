import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LabCatalog } from '../../../electron/app/lab-catalog.ts';

const goodLab = fileURLToPath(new URL('../../fixtures/labs/good/mini-cluster', import.meta.url));

describe('lab catalog', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestlab-catalog-'));
    await cp(goodLab, join(dir, 'mini-cluster'), { recursive: true });
    await mkdir(join(dir, 'broken'));
    await writeFile(join(dir, 'broken', 'lab.yaml'), 'id: broken\nversion: 1\ntitel: { en: Oops }\n');
    await mkdir(join(dir, 'not-a-lab')); // a folder without lab.yaml is ignored
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('summarises good labs in the requested language with English fallback', async () => {
    const library = await new LabCatalog(dir).list('pl');
    expect(library.labs).toHaveLength(1);
    const [lab] = library.labs;
    expect(lab?.id).toBe('mini-cluster');
    expect(lab?.title.length).toBeGreaterThan(0);
    expect(lab?.stepCount).toBeGreaterThan(0);
    expect(lab?.profiles.length).toBeGreaterThan(0);
    expect(lab?.languages).toContain('en');
  });

  it('counts the steps the learner sees with the backend in use', async () => {
    const labsDir = fileURLToPath(new URL('../../../labs', import.meta.url));
    const onSim = (await new LabCatalog(labsDir).list('en', 'sim')).labs.find(
      (l) => l.id === 'proxmox-ha-basics',
    );
    const onVbox = (await new LabCatalog(labsDir).list('en', 'virtualbox')).labs.find(
      (l) => l.id === 'proxmox-ha-basics',
    );
    expect(onSim?.stepCount).toBeGreaterThan(0);
    // VirtualBox labs start with guided install steps the simulator does not need.
    expect(onVbox?.stepCount).toBeGreaterThan(onSim?.stepCount ?? 0);
  });

  it('reports broken labs with the file, line and field instead of hiding them', async () => {
    const { problems } = await new LabCatalog(dir).list('en');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.file).toContain(join('broken', 'lab.yaml'));
    const text = problems[0]?.errors.join('\n') ?? '';
    expect(text).toMatch(/lab\.yaml:3:\d+/);
    expect(text).toMatch(/titel/);
  });

  it('finds one lab by id in its own folder, and nothing outside the labs folder', async () => {
    const catalog = new LabCatalog(dir);
    expect((await catalog.get('mini-cluster'))?.id).toBe('mini-cluster');
    expect(await catalog.get('broken')).toBeUndefined();
    expect(await catalog.get('../mini-cluster')).toBeUndefined();
    expect(await catalog.get('no-such-lab')).toBeUndefined();
  });

  it('parses a lab again only when its file changes', async () => {
    const catalog = new LabCatalog(dir);
    await catalog.list('en');
    const first = catalog.parses;
    expect(first).toBe(2); // mini-cluster and broken
    await catalog.list('en');
    await catalog.list('es');
    await catalog.get('mini-cluster');
    expect(catalog.parses).toBe(first);
    await writeFile(join(dir, 'broken', 'lab.yaml'), 'id: broken\nversion: 1\ntitle: { en: Oops }\n');
    const { problems } = await catalog.list('en');
    expect(catalog.parses).toBe(first + 1);
    expect(problems[0]?.errors.join('\n')).not.toMatch(/titel/);
  });

  it('says so when the labs folder is missing', async () => {
    const { labs, problems } = await new LabCatalog(join(dir, 'nope')).list('en');
    expect(labs).toEqual([]);
    expect(problems[0]?.errors[0]).toMatch(/does not exist/);
  });
});
