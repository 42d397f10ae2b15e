import { fireEvent, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import type { DataNotice } from '../../../../electron/contract/dto.ts';
import { LANGUAGES } from '../../../../electron/contract/dto.ts';
import { I18n } from '../../../../renderer/lib/i18n/i18n.svelte.ts';
import DataNotices from '../../../../renderer/lib/ui/DataNotices.svelte';
import { setup } from '../../support/render-with.ts';

const KINDS: DataNotice['kind'][] = [
  'progress-damaged',
  'settings-damaged',
  'trust-damaged',
  'trust-unreadable',
  'data-dir-unusable',
];

describe('DataNotices (damaged data, issue #10)', () => {
  it('says what happened and where the old file is, until dismissed', async () => {
    const file = '/home/ana/.config/NestLab/progress/quorum.sim.json.unreadable-1764812345678';
    setup().render(DataNotices, { notices: [{ kind: 'progress-damaged', file }] });
    const notice = screen.getByTestId('data-notice');
    expect(notice.textContent).toContain('could not be read, so the lab starts again at step 1');
    expect(notice.textContent).toContain(file);
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('data-notice')).toBeNull();
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('has every notice translated in %s, with the file', (lang) => {
    const english = new I18n('en');
    const translated = new I18n(lang);
    for (const kind of KINDS) {
      const text = translated.t(`notice.${kind}`, { file: '/x/y.json' });
      expect(text, `${lang} ${kind}`).toContain('/x/y.json');
      expect(text).not.toBe(english.t(`notice.${kind}`, { file: '/x/y.json' }));
    }
  });
});
