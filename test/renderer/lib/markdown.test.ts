// @vitest-environment jsdom
// (DOMPurify needs a faithful DOM; under happy-dom it leaves <script> in place.)
import { describe, expect, it } from 'vitest';

import { renderMarkdown } from '../../../renderer/lib/markdown.ts';

describe('lab instructions Markdown', () => {
  it('renders the Markdown teachers write', () => {
    const html = renderMarkdown('Run **`pvecm create lab`** on *pve1*.\n\n- one\n- two');
    expect(html).toContain('<strong><code>pvecm create lab</code></strong>');
    expect(html).toContain('<em>pve1</em>');
    expect(html).toContain('<li>one</li>');
  });

  it('removes scripts, event handlers, javascript: links, styles and forms from a lab file', () => {
    const hostile = [
      '<script>alert(1)</script>',
      '<img src="x" onerror="alert(2)">',
      '[click](javascript:alert(3))',
      '<a href="javascript:alert(4)">x</a>',
      '<style>body{display:none}</style>',
      '<form action="https://evil.example"><input name="p"></form>',
      '<iframe src="https://evil.example"></iframe>',
    ].join('\n\n');
    const html = renderMarkdown(hostile);
    expect(html).not.toMatch(/<script|onerror|javascript:|<style|<form|<input|<iframe/i);
    expect(html).toContain('<img src="x">');
  });
});
