import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../../../electron/lab/expression/expression-error.ts';
import { fillPlaceholders, placeholderNames } from '../../../../electron/lab/expression/placeholders.ts';
import { parseTemplate, renderTemplate } from '../../../../electron/lab/expression/template.ts';

describe('templates', () => {
  const context = {
    results: { join: { nodelist: [{ name: 'pve1', pve_fp: 'AB:CD' }] }, id: 100 },
    vars: { pw: 's3' },
  };

  it('keeps the type of a whole-string template', async () => {
    expect(await renderTemplate(parseTemplate('{{ results.id }}'), context)).toBe(100);
    expect(await renderTemplate(parseTemplate('{{ results.id > 5 }}'), context)).toBe(true);
  });

  it('joins text and values', async () => {
    const t = parseTemplate("fp={{ results.join.nodelist[name='pve1'].pve_fp }} id={{results.id}}!");
    expect(await renderTemplate(t, context)).toBe('fp=AB:CD id=100!');
    expect(await renderTemplate(parseTemplate('plain'), context)).toBe('plain');
  });

  it('fails when a template gives nothing, naming it', async () => {
    const t = parseTemplate('x {{ results.missing }}');
    await expect(renderTemplate(t, context)).rejects.toThrow(/results\.missing/);
  });

  it('positions syntax errors inside the string', () => {
    try {
      parseTemplate('abc {{ results.( }}');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      expect((e as ExpressionError).position).toBeGreaterThanOrEqual(6);
    }
    expect(() => parseTemplate('abc {{ results')).toThrow(/never closed/);
    expect(() => parseTemplate('abc {{ }}')).toThrow(/empty/);
  });
});

describe('message placeholders', () => {
  it('lists and fills names', () => {
    expect(placeholderNames('{{online}} of {{ total }} nodes')).toEqual(['online', 'total']);
    expect(fillPlaceholders('{{online}} of {{total}} nodes online', { online: 2, total: 3 })).toBe(
      '2 of 3 nodes online',
    );
    expect(fillPlaceholders('{{a}} {{b}}', { a: null })).toBe('— {{b}}');
  });
});
