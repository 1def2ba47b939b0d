import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['dist/**', 'dist-electron/**', 'release/**', 'node_modules/**', 'tests/.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // protocol/ is pure wire formats and rules; shared/ is runtime code the relay and the desktop
    // shell both run. Neither reaches into one side or pulls in a client or server library.
    files: ['protocol/**/*.ts', 'shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/server/**', '**/renderer/**', '**/electron/**', '**/tests/**'], message: 'protocol/ and shared/ depend on no side of the app.' },
            {
              group: ['y-websocket', 'y-indexeddb', 'ws', 'electron', 'react', 'react-dom', '@tiptap/*', 'pino', 'better-sqlite3', 'prom-client', 'sirv'],
              message: 'protocol/ and shared/ import no client or server library; bind to it on the side that uses it.',
            },
          ],
        },
      ],
    },
  },
  {
    // What the shell shares with the relay lives in protocol/ or shared/: server/ is the relay's own.
    files: ['electron/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/**'], message: 'Move code the shell shares with the relay to shared/.' }] }] },
  },
)
