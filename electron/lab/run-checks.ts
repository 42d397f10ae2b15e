/** Runs a step's checks: one Proxmox API query each, then its JSONata expression over the result. */
import type { Language } from '../contract/dto.ts';
import { PveError, type PveApi } from '../pve/api.ts';
import { fillPlaceholders } from './expression/placeholders.ts';
import type { ExpressionCache } from './expression-cache.ts';
import { localize } from './localize.ts';
import { renderParams } from './render-params.ts';
import type { RunContext } from './run-context.ts';
import type { LabCheck, LabStep } from './script/schema.ts';

export interface CheckDeps {
  pve: PveApi;
  cache: ExpressionCache;
  context: RunContext;
  signal?: AbortSignal;
  requestTimeoutMs?: number;
}

export interface CheckOutcome {
  id: string;
  ok: boolean;
  /** Values of the check's named `observe` expressions (for its `observed` message). */
  observed?: Record<string, unknown>;
  /** Why the check could not be evaluated (API call or expression failed). */
  error?: string;
  /** The node that did not answer, when the API call failed before Proxmox replied. */
  unreachableNode?: string;
}

function bindings(context: RunContext): Record<string, unknown> {
  return { vars: context.vars, machines: context.machines, profile: context.profile };
}

export async function runCheck(check: LabCheck, deps: CheckDeps): Promise<CheckOutcome> {
  let result: unknown;
  try {
    result = await deps.pve.request({
      method: check.query.method,
      path: check.query.path,
      params: await renderParams(check.query.params, deps.cache, deps.context),
      node: check.query.node,
      signal: deps.signal,
      timeoutMs: deps.requestTimeoutMs,
    });
  } catch (e) {
    if (deps.signal?.aborted) throw e;
    const down =
      e instanceof PveError && (e.kind === 'unreachable' || e.kind === 'timeout') && e.node
        ? { unreachableNode: e.node }
        : {};
    return { id: check.id, ok: false, error: errorText(e), ...down };
  }
  try {
    const ok = (await deps.cache.expression(check.expect).evaluate(result, bindings(deps.context))) === true;
    const observed: Record<string, unknown> = {};
    for (const [name, source] of Object.entries(check.observe ?? {})) {
      observed[name] = await deps.cache.expression(source).evaluate(result, bindings(deps.context));
    }
    return check.observe ? { id: check.id, ok, observed } : { id: check.id, ok };
  } catch (e) {
    return { id: check.id, ok: false, error: errorText(e) };
  }
}

/** The check's message in `lang`, followed by what was observed when the lab says how to show it. */
export function checkMessage(check: LabCheck, outcome: CheckOutcome | undefined, lang: Language): string {
  const base = localize(check.message, lang);
  if (!check.observed || !outcome?.observed) return base;
  return `${base} — ${fillPlaceholders(localize(check.observed, lang), outcome.observed)}`;
}

export async function runChecks(step: LabStep, deps: CheckDeps): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const check of step.checks) outcomes.push(await runCheck(check, deps));
  return outcomes;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
