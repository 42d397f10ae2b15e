// Cheap accessibility probes run inside the page: controls without a name, and whether the
// focused element shows a visible outline.

/** Returns a description of every visible control that has no accessible name. */
export function unnamedControls(page) {
  return page.evaluate(() => {
    const nameOf = (el) => {
      const labelledBy = el.getAttribute('aria-labelledby');
      if (labelledBy)
        return labelledBy
          .split(' ')
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ')
          .trim();
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
    return (
      controls
        .filter((el) => el.getClientRects().length > 0 && !el.closest('[aria-hidden="true"]'))
        // xterm's own helper textarea is named by the terminal region around it.
        .filter((el) => !el.classList.contains('xterm-helper-textarea'))
        .filter((el) => nameOf(el) === '')
        .map((el) => el.outerHTML.slice(0, 120))
    );
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

/**
 * Text whose colour against its effective background is below `min` (WCAG contrast ratio).
 * Checks every visible element that directly holds text; disabled controls are exempt (WCAG).
 */
export function lowContrastTexts(page, min = 4.5) {
  return page.evaluate((minRatio) => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1]
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const blend = (top, bottom) => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const background = (el) => {
      const layers = [];
      for (let node = el; node; node = node.parentElement) {
        const bg = parse(getComputedStyle(node).backgroundColor);
        if (bg && bg.a > 0) layers.push(bg);
        if (bg && bg.a === 1) break;
      }
      let result = { r: 255, g: 255, b: 255, a: 1 };
      for (const layer of layers.reverse()) result = blend(layer, result);
      return result;
    };
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      if (!el.getClientRects().length || el.closest('[aria-hidden="true"], canvas, .xterm, :disabled'))
        continue;
      const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!ownText) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || Number(style.opacity) < 0.1) continue;
      const fg = parse(style.color);
      if (!fg) continue;
      const bg = background(el);
      const [l1, l2] = [lum(blend(fg, bg)), lum(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      if (ratio < minRatio)
        out.push(
          `${ratio.toFixed(2)} "${el.textContent.trim().slice(0, 40)}" (${style.color} on rgb(${Math.round(bg.r)},${Math.round(bg.g)},${Math.round(bg.b)}))`,
        );
    }
    return out;
  }, min);
}
