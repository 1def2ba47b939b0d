import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { DocRegistry } from './sync/doc-registry'
import { INDEX_ROOM, NotesIndex } from './notes/notes-index'
import { resolveRelayUrl } from './platform/relay-url'
import './styles.css'

const registry = new DocRegistry(resolveRelayUrl())
const indexHandle = registry.get(INDEX_ROOM)
registry.retain(indexHandle) // the index stays open for the app's lifetime
const index = new NotesIndex(indexHandle.doc)

const root = document.getElementById('root')
if (!root) throw new Error('Skein: #root element missing from index.html')

createRoot(root).render(
  <StrictMode>
    <App registry={registry} indexHandle={indexHandle} index={index} />
  </StrictMode>,
)
