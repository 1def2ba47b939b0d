// markdown-it-mark ships no types: a markdown-it plugin (==text== → mark_open / mark_close tokens).
declare module 'markdown-it-mark' {
  import type MarkdownIt from 'markdown-it'
  const plugin: (md: MarkdownIt) => void
  export default plugin
}
