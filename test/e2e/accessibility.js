// Cheap accessibility probes run inside the page: controls without a name, and whether the
// focused element shows a visible outline.

/** Returns a description of every visible control that has no accessible name. */
export function unnamedControls(page) {
  return page.evaluate(() => {
    const nameOf = (el) => {
      const labelledBy = el.getAttribute('aria-labelledby');
      if (labelledBy) return labelledBy.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
      const label = el.getAttribute('aria-label') || el.getAttribute('title');
      if (label) return label.trim();
      if (el.id) {
        const forLabel = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
        if (forLabel?.textContent?.trim()) return forLabel.textContent.trim();
      }
      const wrapping = el.closest('label');
      if (wrapping?.textContent?.trim()) return wrapping.textContent.trim();
      return (el.textContent ?? '').trim();
    };
    const controls = [...document.querySelectorAll('button, select, input, textarea, a[href], [role="tab"]')];
    return controls
      .filter((el) => el.getClientRects().length > 0 && !el.closest('[aria-hidden="true"]'))
      // xterm's own helper textarea is named by the terminal region around it.
      .filter((el) => !el.classList.contains('xterm-helper-textarea'))
      .filter((el) => nameOf(el) === '')
      .map((el) => el.outerHTML.slice(0, 120));
  });
}

/** Presses Tab until a control is focused; returns its computed outline width in px. */
export async function focusOutlineAfterTab(page) {
  await page.keyboard.press('Tab');
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 0;
    return parseFloat(getComputedStyle(el).outlineWidth) || 0;
  });
}
