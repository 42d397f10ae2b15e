/**
 * Lab instructions: Markdown from lab files rendered with marked and sanitised with DOMPurify.
 * A lab file is text from a teacher, not part of the app: besides scripts, it may not draw over the
 * app (inline `style`, the app's own CSS classes), take over ids or names the app's code looks up,
 * or show form controls that look like the app asking for a password.
 */
import DOMPurify from 'dompurify';
import { marked } from 'marked';

const FORM_TAGS = [
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'option',
  'optgroup',
  'fieldset',
  'label',
  'output',
  'datalist',
  'dialog',
];
const FORBID_TAGS = ['style', 'link', 'meta', 'base', ...FORM_TAGS];
const FORBID_ATTR = [
  'style',
  'id',
  'name',
  'form',
  'formaction',
  'popover',
  'popovertarget',
  'tabindex',
  'autofocus',
];
/** The only classes kept: the language marker marked puts on fenced code. */
const CODE_LANGUAGE_CLASS = /^language-[\w-]+$/;

let hooked = false;
function hookOnce(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (data.attrName === 'class' && !CODE_LANGUAGE_CLASS.test(data.attrValue)) data.keepAttr = false;
  });
}

export function renderMarkdown(markdown: string): string {
  hookOnce();
  const html = marked.parse(markdown, { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS, FORBID_ATTR });
}
