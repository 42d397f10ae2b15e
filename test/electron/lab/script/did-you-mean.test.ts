import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../../../electron/lab/script/did-you-mean.ts';

describe('did you mean', () => {
  const keys = ['instructions', 'checks', 'solve', 'hints', 'drill', 'title', 'appliesTo'];

  it('finds typos: missing, extra, swapped letters and case', () => {
    expect(didYouMean('instructons', keys)).toBe('instructions');
    expect(didYouMean('chekcs', keys)).toBe('checks');
    expect(didYouMean('hintss', keys)).toBe('hints');
    expect(didYouMean('appliesto', keys)).toBe('appliesTo');
    expect(didYouMean('Title', keys)).toBe('title');
  });

  it('stays quiet when nothing is close', () => {
    expect(didYouMean('network', keys)).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });

  it('counts a transposition as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('result references in templates', () => {
  it('finds results.<name> only inside {{ }}', async () => {
    const { resultReferences } = await import('../../../../electron/lab/script/cross-check.ts');
    expect(
      resultReferences("fp={{ results.join.nodelist[name='pve1'].pve_fp }} {{results.task}} results.outside"),
    ).toEqual(['join', 'task']);
    expect(resultReferences('{{ $x.results.not }} {{ vars.results }}')).toEqual([]);
  });
});
