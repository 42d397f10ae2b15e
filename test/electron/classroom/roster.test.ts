import { describe, expect, it } from 'vitest';

import { parseRoster } from '../../../electron/classroom/roster.ts';

describe('class roster CSV', () => {
  it('reads id and name, ignores other columns, a BOM and quoting', () => {
    const text = '\uFEFFid,name,email\nana,"García, Ana",ana@example.org\n\nBob,Bob Kowalski,\n';
    expect(parseRoster(text, 'class.csv')).toEqual([
      { id: 'ana', name: 'García, Ana', line: 2 },
      { id: 'bob', name: 'Bob Kowalski', line: 3 },
    ]);
  });

  it('names the file and line of a bad id, a duplicate and a missing name', () => {
    expect(() => parseRoster('id,name\nana,Ana\nana,Ana again\n', 'c.csv')).toThrow(
      /^c\.csv:3: id "ana" is already used on line 2/,
    );
    expect(() => parseRoster('id,name\nan a,Ana\n', 'c.csv')).toThrow(/^c\.csv:2: id "an a"/);
    expect(() => parseRoster('id,name\nana,\n', 'c.csv')).toThrow(/^c\.csv:2: student "ana" has no name/);
  });

  it('says which columns it needs and that an empty class is an error', () => {
    expect(() => parseRoster('student,fullname\nana,Ana\n', 'c.csv')).toThrow(
      /c\.csv:1: the first row must name the columns "id" and "name"/,
    );
    expect(() => parseRoster('id,name\n', 'c.csv')).toThrow(/c\.csv: lists no students/);
  });
});
