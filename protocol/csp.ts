/**
 * The web client's Content-Security-Policy, sent by both of its hosts: the Electron shell's
 * app:// handler and the relay's HTTP server, so the browser build runs under the same rules as
 * the desktop app. style-src allows 'unsafe-inline' because TipTap/ProseMirror set inline styles;
 * connect-src allows any ws:/wss: and http:/https: because the relay URL is user-configurable
 * (content over WebSocket, metadata over its HTTP API). Scripts come only from the app's own origin.
 * img-src allows blob: for a note's images, drawn from object URLs of their bytes in IndexedDB
 * (renderer/attachments); a blob: URL can only be made by this origin's own scripts.
 */
export const CONTENT_SECURITY_POLICY: string = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss: http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ')
