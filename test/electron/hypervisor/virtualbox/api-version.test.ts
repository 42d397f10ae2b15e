import { describe, expect, it } from 'vitest';
import {
  hasPlatformObject,
  selectApiFlavor,
  wsdlPlanFor,
} from '../../../../electron/hypervisor/virtualbox/api-version.ts';

describe('selectApiFlavor', () => {
  it.each([
    ['7_0', '7.0'],
    ['7_1', '7.1'],
    ['7_2', '7.2'],
    ['7_3', '7.2'],
    ['8_0', '7.2'],
  ])('API %s speaks the %s shape', (api, flavor) => {
    expect(selectApiFlavor(api)).toBe(flavor);
  });

  it('refuses 6.1 and garbage with a message that says what to install', () => {
    expect(() => selectApiFlavor('6_1', '6.1.50')).toThrow(
      /VirtualBox 6\.1\.50 is too old: NestLab needs VirtualBox 7\.0/,
    );
    expect(() => selectApiFlavor('nonsense')).toThrow(/too old|needs VirtualBox 7\.0/);
  });

  it('loads the WSDL that matches each shape', () => {
    expect(wsdlPlanFor('7.0')).toEqual({ source: 'package' });
    expect(wsdlPlanFor('7.1')).toEqual({ source: 'vendored', version: '7.1' });
    expect(wsdlPlanFor('7.2')).toEqual({ source: 'server-then-vendored', fallback: '7.1' });
  });

  it('knows where x86 settings live', () => {
    expect(hasPlatformObject('7.0')).toBe(false);
    expect(hasPlatformObject('7.1')).toBe(true);
    expect(hasPlatformObject('7.2')).toBe(true);
  });
});
