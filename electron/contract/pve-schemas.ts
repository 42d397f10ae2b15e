/**
 * Params of the Datacenter view's Proxmox calls: a generic `pve.call` routed to the open lab's
 * Proxmox API, and a chunked upload (the renderer sends the learner's file in pieces).
 */
import { z } from 'zod';

const nodeName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,62})$/i, 'must be a node name');
/** Below /api2/json; no query string, no `..` (params carry the arguments). */
const apiPath = z
  .string()
  .max(512)
  .regex(/^(\/[A-Za-z0-9_.:@=,%-]+)+$/, 'must be an API path like /cluster/status')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ..');
const paramValue = z.union([z.string().max(65_536), z.number(), z.boolean()]);

/** The largest chunk (bytes before base64) one `pve.uploadChunk` may carry; fits the WebSocket limit. */
export const UPLOAD_CHUNK_BYTES = 512 * 1024;
/** An ISO larger than this is not what a lab needs. */
export const UPLOAD_MAX_BYTES = 8 * 1024 ** 3;

const uploadId = z.string().regex(/^[a-f0-9-]{8,64}$/, 'must be an upload id');

export const pveParamSchemas = {
  'pve.info': z.object({}).strict(),
  'pve.call': z
    .object({
      node: nodeName.optional(),
      method: z.enum(['GET', 'POST', 'PUT', 'DELETE']),
      path: apiPath,
      params: z.record(z.string().max(64), paramValue).optional(),
    })
    .strict(),
  'pve.uploadBegin': z
    .object({
      node: nodeName,
      storage: z
        .string()
        .regex(/^[a-z][a-z0-9._-]*$/i, 'must be a storage id')
        .max(64),
      content: z.enum(['iso', 'vztmpl', 'import']),
      filename: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[^/\\\0]+$/, 'must be a plain file name'),
      size: z.number().int().min(1).max(UPLOAD_MAX_BYTES),
    })
    .strict(),
  'pve.uploadChunk': z
    .object({
      uploadId,
      offset: z.number().int().min(0),
      /** base64 of at most UPLOAD_CHUNK_BYTES bytes. */
      data: z
        .string()
        .min(1)
        .max(Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4),
    })
    .strict(),
  'pve.uploadFinish': z.object({ uploadId }).strict(),
  'pve.uploadCancel': z.object({ uploadId }).strict(),
  'pve.openWebUi': z.object({ node: nodeName }).strict(),
} as const;
