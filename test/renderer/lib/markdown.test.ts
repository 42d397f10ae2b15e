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

  it('lets no lab draw over the app: no style, id, name, app classes or form controls (issue #10)', async () => {
    const { readFile } = await import('node:fs/promises');
    // (Under jsdom import.meta.url is not a file URL; tests run from the repository root.)
    const overlay = await readFile('test/fixtures/labs/hostile/overlay/lab.yaml', 'utf8');
    const { parse } = await import('yaml');
    const lab = parse(overlay) as { steps: { instructions: { en: string } }[] };
    const html = renderMarkdown(lab.steps[0]!.instructions.en);
    expect(html).not.toMatch(
      /style=|\sid=|\sname=|class="(?!language-)|<form|<input|<button|<select|<textarea|<label|<dialog|<link|tabindex|autofocus/i,
    );
    // The text and ordinary Markdown survive.
    expect(html).toContain('Trust this certificate');
    expect(renderMarkdown('```sh\npvecm status\n```')).toContain('class="language-sh"');
  });

  it('keeps an image whose path does not decode as it is (the browser host answers its request with 400)', () => {
    expect(renderMarkdown('![d](/%E0%A4%A)')).toContain('<img src="/%E0%A4%A" alt="d">');
  });
});
