// ESLint flat config: typescript-eslint (type-aware), eslint-plugin-svelte, and the
// architecture boundaries from shared/STYLE.md enforced with no-restricted-imports.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronOnly = {
  // The Electron module itself (not this repo's electron/ folder).
  regex: '^electron(/.*)?$',
  // Types cost nothing at run time (fakes in tests type themselves against Electron's API).
  allowTypeImports: true,
  message: "'electron' may be imported only by main.ts, preload.ts, shell/** and ipc/electron-transport.ts.",
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'coverage/**', 'labs/schema/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-restricted-imports': ['error', { patterns: [electronOnly] }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The Electron edge: the only files allowed to import 'electron'.
    files: [
      'electron/main.ts',
      'electron/preload.ts',
      'electron/shell/**',
      'electron/ipc/electron-transport.ts',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The contract imports nothing else from the repo.
    files: ['electron/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electronOnly,
            { group: ['../*', '!./*'], message: 'The contract imports nothing from the rest of the repo.' },
          ],
        },
      ],
    },
  },
  {
    // The renderer reaches the engine only through the contract.
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electronOnly,
            {
              group: ['**/electron/**', '!@contract/*'],
              message: 'The renderer may import only @contract/*.',
            },
          ],
        },
      ],
    },
  },
  {
    // One backend seam: only electron/backends/ builds a backend or knows an implementation; the
    // rest of the app opens labs through backends/create-lab-environment.ts and LabEnvironment.
    files: [
      'electron/app/**',
      'electron/ipc/router.ts',
      'electron/ipc/ws-transport.ts',
      'electron/server.ts',
      'electron/terminal/**',
      'electron/pve/**',
      'electron/cli/commands/lab.ts',
      'electron/cli/commands/lab/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electronOnly,
            {
              group: ['**/sim/**', '**/backends/*/**', '**/hypervisor/virtualbox/**'],
              message:
                'Only electron/backends/ knows a backend: use backends/create-lab-environment.ts and the LabEnvironment interface.',
            },
          ],
        },
      ],
    },
  },
  {
    // The simulator talks to its own nodes through the client factory the root passes it.
    files: ['electron/sim/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electronOnly,
            {
              group: ['**/pve/http-client*', '**/backends/**', 'undici'],
              message:
                'electron/sim gets its Proxmox clients from the PveClientFactory it is given (pve/api.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // The lab engine knows interfaces only, never an implementation.
    files: ['electron/lab/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electronOnly,
            {
              group: [
                '**/sim/**',
                '**/virtualbox/**',
                '**/pve/http*',
                '**/pve/*-client*',
                '**/ipc/**',
                '**/app/create-app*',
                'undici',
                'ws',
                'soap',
                'virtualbox-soap',
                'node-pty',
              ],
              message:
                'electron/lab imports only interfaces (hypervisor/driver.ts, pve/api.ts, clock, contract types).',
            },
          ],
        },
      ],
    },
  },
);
