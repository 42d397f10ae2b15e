import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../../electron/sim/scenario/scenario-load.ts';
import { runScenario } from '../../../../electron/sim/scenario/scenario-runner.ts';

const dir = join(import.meta.dirname, '../../../../electron/sim/scenario/examples');
const run = (name: string) => runScenario(loadScenarioFile(join(dir, name))).result;

describe('example scenarios', () => {
  it('every example file is valid and runs', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) expect(run(f).transitions.length, f).toBeGreaterThan(0);
  });

  it('each example ends as its comment says', () => {
    expect(run('power-loss.yaml').final.services['vm:100']).toEqual({ node: 'node1', state: 'started' });
    expect(run('master-loss.yaml').final).toMatchObject({
      master: 'node2',
      services: { 'vm:100': { node: 'node2', state: 'started' } },
    });
    expect(run('quorum-loss.yaml').final.services).toEqual({
      'vm:100': { node: 'node1', state: 'started' },
      'vm:101': { node: 'node1', state: 'started' },
    });
    expect(run('failback-rules.yaml').final.services).toEqual({
      'vm:100': { node: 'node2', state: 'started' },
      'vm:101': { node: 'node3', state: 'started' },
    });
    const groups = run('groups-pve8.yaml');
    expect(groups.transitions.some((t) => t.subject === 'vm:100' && t.to === 'recovery')).toBe(true);
    expect(groups.final.services['vm:100']).toEqual({ node: 'node3', state: 'started' });
    const failures = run('start-failures.yaml');
    expect(failures.transitions.filter((t) => t.subject === 'vm:100').map((t) => t.to)).toContain('error');
    expect(failures.final.services['vm:100']!.state).toBe('stopped');
  });
});
