/**
 * One backend seam: outside electron/backends/ (and the backends' own code: the simulator, the
 * VirtualBox driver, the contract's list of names) nothing asks which backend a lab runs on —
 * capabilities of LabEnvironment answer instead. Reads the source, so a new question fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const electronDir = fileURLToPath(new URL('../../../electron', import.meta.url));
const OWN_CODE = ['backends/', 'sim/', 'hypervisor/virtualbox/', 'contract/'];
const QUESTIONS = [
  /[!=]==\s*'(sim|virtualbox)'/,
  /'(sim|virtualbox)'\s*[!=]==/,
  /case\s+'(sim|virtualbox)'\s*:/,
  /\bsimClock\b/,
  /\benv\.datacenter\b/,
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

describe('the backend seam', () => {
  it('nothing outside electron/backends/ asks whether the backend is the simulator or VirtualBox', () => {
    const questions: string[] = [];
    for (const file of sources(electronDir)) {
      const path = relative(electronDir, file);
      if (OWN_CODE.some((own) => path.startsWith(own))) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (QUESTIONS.some((q) => q.test(line)))
            questions.push(`electron/${path}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(questions).toEqual([]);
  });
});
