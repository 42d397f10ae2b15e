/**
 * Checks a schema-valid lab for what a schema cannot see: duplicate ids, names that must refer to
 * a machine/network/profile, expressions and templates that must compile, message placeholders
 * that must be declared. Returns problems by field path; the loader positions them.
 */
import { ExpressionError } from '../expression/expression-error.ts';
import { placeholderNames } from '../expression/placeholders.ts';
import { compileExpression } from '../expression/sandbox.ts';
import { hasTemplate, parseTemplate } from '../expression/template.ts';
import { profilesOfStep } from './applicability.ts';
import { didYouMean } from './did-you-mean.ts';
import type { ApiQuery, LabFile, LabProfile, LabStep } from './schema.ts';

export interface PathProblem {
  path: PropertyKey[];
  message: string;
  expected?: string;
  got?: string;
  didYouMean?: string;
}

export function crossCheck(lab: LabFile): PathProblem[] {
  const problems: PathProblem[] = [];
  const add = (p: PathProblem): void => {
    problems.push(p);
  };

  const through = lab.course?.startsFrom?.throughStep;
  if (through !== undefined && !lab.steps.some((s) => s.id === through)) {
    add({
      path: ['course', 'startsFrom', 'throughStep'],
      message: `no step '${through}' in this lab (steps: ${lab.steps.map((s) => s.id).join(', ')})`,
    });
  }

  unique(
    lab.profiles.map((p) => p.id),
    ['profiles'],
    'id',
    'profile id',
    add,
  );
  unique(
    lab.steps.map((s) => s.id),
    ['steps'],
    'id',
    'step id',
    add,
  );
  const profileIds = lab.profiles.map((p) => p.id);

  lab.profiles.forEach((profile, pi) => checkProfile(profile, ['profiles', pi], add));

  lab.steps.forEach((step, si) => {
    const base: PropertyKey[] = ['steps', si];
    step.appliesTo?.profiles?.forEach((id, i) => {
      if (!profileIds.includes(id)) {
        add(refProblem([...base, 'appliesTo', 'profiles', i], 'profile of this lab', id, profileIds));
      }
    });
    const profiles = profilesOfStep(lab, step);
    if (profiles.length === 0) {
      add({ path: [...base, 'appliesTo'], message: 'the step applies to no profile/backend combination' });
    }
    checkStep(step, base, profiles, add);
  });
  return problems;
}

type Add = (p: PathProblem) => void;

function unique(values: string[], path: PropertyKey[], key: string, what: string, add: Add): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) add({ path: [...path, i, key], message: `duplicate ${what} "${v}"` });
    seen.add(v);
  });
}

function refProblem(path: PropertyKey[], what: string, name: string, known: string[]): PathProblem {
  return {
    path,
    message: `"${name}" is not a ${what}`,
    expected: known.length ? `one of ${known.join(', ')}` : `a ${what} name`,
    got: `"${name}"`,
    didYouMean: didYouMean(name, known),
  };
}

function checkProfile(profile: LabProfile, base: PropertyKey[], add: Add): void {
  unique(
    profile.machines.map((m) => m.name),
    [...base, 'machines'],
    'name',
    'machine name',
    add,
  );
  unique(
    profile.networks.map((n) => n.name),
    [...base, 'networks'],
    'name',
    'network name',
    add,
  );
  const networks = profile.networks.map((n) => n.name);
  profile.machines.forEach((machine, mi) =>
    machine.nics.forEach((nic, ni) => {
      if (!networks.includes(nic.network)) {
        add(
          refProblem(
            [...base, 'machines', mi, 'nics', ni, 'network'],
            'network of this profile',
            nic.network,
            networks,
          ),
        );
      }
    }),
  );
}

/** Every profile the step runs in must have the node or machine it names. */
function checkName(
  name: string | undefined,
  path: PropertyKey[],
  profiles: LabProfile[],
  kind: 'pve-node' | 'machine',
  add: Add,
): void {
  if (name === undefined) return;
  for (const profile of profiles) {
    const names = profile.machines.filter((m) => kind === 'machine' || m.kind === 'pve').map((m) => m.name);
    if (!names.includes(name)) {
      const what =
        kind === 'machine' ? `machine of profile "${profile.id}"` : `Proxmox node of profile "${profile.id}"`;
      add(refProblem(path, what, name, names));
      return;
    }
  }
}

function checkExpression(source: string, path: PropertyKey[], add: Add): void {
  try {
    compileExpression(source);
  } catch (e) {
    add(expressionProblem(e, path));
  }
}

function checkTemplate(source: string, path: PropertyKey[], add: Add): void {
  if (!hasTemplate(source)) return;
  try {
    parseTemplate(source);
  } catch (e) {
    add(expressionProblem(e, path));
  }
}

function expressionProblem(e: unknown, path: PropertyKey[]): PathProblem {
  if (e instanceof ExpressionError) {
    const at = e.position === undefined ? '' : ` at character ${e.position}`;
    return { path, message: `invalid expression${at}: ${e.message}`, expected: 'a JSONata expression' };
  }
  return { path, message: `invalid expression: ${String(e)}` };
}

function checkQuery(query: ApiQuery, path: PropertyKey[], profiles: LabProfile[], add: Add): void {
  checkName(query.node, [...path, 'node'], profiles, 'pve-node', add);
  for (const [key, value] of Object.entries(query.params ?? {})) {
    if (typeof value === 'string') checkTemplate(value, [...path, 'params', key], add);
  }
}

function checkStep(step: LabStep, base: PropertyKey[], profiles: LabProfile[], add: Add): void {
  unique(
    step.checks.map((c) => c.id),
    [...base, 'checks'],
    'id',
    'check id',
    add,
  );
  step.checks.forEach((check, ci) => {
    const path = [...base, 'checks', ci];
    checkQuery(check.query, [...path, 'query'], profiles, add);
    checkExpression(check.expect, [...path, 'expect'], add);
    const declared = Object.keys(check.observe ?? {});
    for (const [name, source] of Object.entries(check.observe ?? {})) {
      checkExpression(source, [...path, 'observe', name], add);
    }
    for (const [lang, text] of Object.entries(check.observed ?? {})) {
      for (const name of placeholderNames(text ?? '')) {
        if (!declared.includes(name)) {
          add({
            ...refProblem([...path, 'observed', lang], 'placeholder', name, declared),
            message: `placeholder {{${name}}} is not declared in observe`,
          });
        }
      }
    }
  });

  const saved: string[] = [];
  step.solve.forEach((action, ai) => {
    const path = [...base, 'solve', ai];
    const templated: [string, PropertyKey[]][] = [];
    switch (action.action) {
      case 'api':
        checkQuery({ ...action, params: action.params }, path, profiles, add);
        for (const [key, value] of Object.entries(action.params ?? {})) {
          if (typeof value === 'string') templated.push([value, [...path, 'params', key]]);
        }
        break;
      case 'shell':
        checkName(action.node, [...path, 'node'], profiles, 'pve-node', add);
        checkTemplate(action.command, [...path, 'command'], add);
        templated.push([action.command, [...path, 'command']]);
        action.input.forEach((line, li) => {
          checkTemplate(line, [...path, 'input', li], add);
          templated.push([line, [...path, 'input', li]]);
        });
        break;
      case 'hypervisor':
        checkName(action.machine, [...path, 'machine'], profiles, 'machine', add);
        break;
      case 'wait':
        checkQuery(action.query, [...path, 'query'], profiles, add);
        checkExpression(action.until, [...path, 'until'], add);
        break;
      case 'task':
        checkTemplate(action.upid, [...path, 'upid'], add);
        templated.push([action.upid, [...path, 'upid']]);
        break;
    }
    // Results live for one step's solve: a template may only use what an earlier action saved.
    for (const [text, at] of templated) {
      for (const name of resultReferences(text)) {
        if (!saved.includes(name)) {
          add({
            ...refProblem(at, 'result saved by an earlier action of this step', name, saved),
            message: `results.${name} is not saved by an earlier action of this step (add save: ${name})`,
          });
        }
      }
    }
    if ('save' in action && action.save) saved.push(action.save);
  });

  if (step.drill?.target.select === 'machine') {
    checkName(step.drill.target.machine, [...base, 'drill', 'target', 'machine'], profiles, 'machine', add);
    // The drill times an HA resource's recovery; with a machine target nothing names it otherwise.
    if (!step.drill.resource) {
      add({
        path: [...base, 'drill'],
        message:
          'a drill whose target is a machine needs "resource": the HA resource whose recovery it times',
        expected: 'resource: vm:<id>',
      });
    }
  }
}

/** Names used as `results.<name>` inside the `{{ }}` templates of a string. */
export function resultReferences(text: string): string[] {
  const names: string[] = [];
  for (const template of text.matchAll(/\{\{([\s\S]*?)\}\}/g)) {
    for (const ref of (template[1] ?? '').matchAll(/(?<![\w$.])results\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
      if (ref[1] && !names.includes(ref[1])) names.push(ref[1]);
    }
  }
  return names;
}
