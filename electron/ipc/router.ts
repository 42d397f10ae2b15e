/**
 * Validates every call against the contract and maps any failure to `{code, message}`.
 * Both transports (Electron IPC and WebSocket) dispatch through one router.
 */
import type { z } from 'zod';

import type { ResultOf } from '../contract/api.ts';
import { ApiError, type ApiErrorInfo } from '../contract/errors.ts';
import { isMethodName } from '../contract/names.ts';
import { paramSchemas, type MethodName } from '../contract/schemas.ts';

export type Handlers = {
  [M in MethodName]: (params: z.output<(typeof paramSchemas)[M]>) => Promise<ResultOf<M>> | ResultOf<M>;
};

export type DispatchOutcome = { result: unknown } | { error: ApiErrorInfo };

export interface Router {
  dispatch(method: unknown, params: unknown): Promise<DispatchOutcome>;
}

export interface RouterOptions {
  /** Where unexpected failures are logged (their stack stays on this side). */
  log?: (message: string, error: unknown) => void;
}

export function createRouter(handlers: Handlers, options: RouterOptions = {}): Router {
  return {
    async dispatch(method, params) {
      if (!isMethodName(method)) {
        return { error: { code: 'unknown-method', message: `Unknown method ${JSON.stringify(method)}.` } };
      }
      const parsed = paramSchemas[method].safeParse(params ?? {});
      if (!parsed.success) {
        const detail = parsed.error.issues
          .map((issue) => `${issue.path.length ? issue.path.join('.') : 'params'}: ${issue.message}`)
          .join('; ');
        return { error: { code: 'bad-request', message: `Invalid params for ${method}: ${detail}` } };
      }
      try {
        const handler = handlers[method] as (p: unknown) => unknown;
        const result = await handler(parsed.data);
        return { result: result ?? null };
      } catch (error) {
        if (error instanceof ApiError) return { error: error.toInfo() };
        options.log?.(`${method} failed`, error);
        const message = error instanceof Error ? error.message : String(error);
        return { error: { code: 'internal', message: `${method} failed: ${message}` } };
      }
    },
  };
}
