/**
 * Generates labs/schema/lab.schema.json from the zod schema, for teachers' editors
 * (yaml-language-server). Run: npx tsx electron/lab/script/emit-json-schema.ts [--check]
 * With --check it only compares and exits 1 when the committed file is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { labSchema } from './schema.ts';

export const JSON_SCHEMA_PATH = fileURLToPath(
  new URL('../../../labs/schema/lab.schema.json', import.meta.url),
);

/** The JSON Schema text, as committed (input shape: fields with defaults are optional). */
export function labJsonSchemaText(): string {
  const schema = z.toJSONSchema(labSchema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, $id: 'https://nestlab.dev/schema/lab.schema.json' }, null, 2)}\n`;
}

async function main(): Promise<void> {
  const text = labJsonSchemaText();
  if (process.argv.includes('--check')) {
    const current = await readFile(JSON_SCHEMA_PATH, 'utf8').catch(() => '');
    if (current !== text) {
      console.error(`${JSON_SCHEMA_PATH} is stale: run npx tsx electron/lab/script/emit-json-schema.ts`);
      process.exit(1);
    }
    return;
  }
  await writeFile(JSON_SCHEMA_PATH, text);
  console.log(`wrote ${JSON_SCHEMA_PATH}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
