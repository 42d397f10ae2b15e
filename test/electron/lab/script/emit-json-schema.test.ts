import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_PATH, labJsonSchemaText } from '../../../../electron/lab/script/emit-json-schema.ts';

describe('labs/schema/lab.schema.json', () => {
  it('is up to date with the zod schema (run: npx tsx electron/lab/script/emit-json-schema.ts)', async () => {
    const committed = await readFile(JSON_SCHEMA_PATH, 'utf8');
    expect(committed).toBe(labJsonSchemaText());
  });

  it('is strict and requires English text, so editors flag what the loader rejects', () => {
    const schema = JSON.parse(labJsonSchemaText()) as {
      additionalProperties: boolean;
      required: string[];
      $defs: Record<string, { required?: string[]; additionalProperties?: boolean }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'version', 'title', 'profiles', 'steps']));
    expect(schema.$defs.LocalizedText?.required).toEqual(['en']);
    expect(schema.$defs.Step?.additionalProperties).toBe(false);
  });
});
