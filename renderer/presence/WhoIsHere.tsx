import type { DocHandle } from '../sync/doc-registry'
import { usePeers, useProfile, usePublishedUser } from './use-presence'

/** The note header's list of who has this note open, with their caret colors. */
export function WhoIsHere({ handle }: { handle: DocHandle }) {
  usePublishedUser(handle.awareness, useProfile())
  const peers = usePeers(handle.awareness)
  return (
    <ul className="who-here" aria-label="Who's here">
      {peers.map((peer) => (
        <li key={peer.clientId} className="who-here-peer" aria-label={peer.self ? `${peer.name} (you)` : peer.name} title={peer.self ? `${peer.name} (you)` : peer.name}>
          <span className="who-here-dot" style={{ backgroundColor: peer.color }} aria-hidden="true" />
          <span className="who-here-name">{peer.name}</span>
        </li>
      ))}
    </ul>
  )
}
