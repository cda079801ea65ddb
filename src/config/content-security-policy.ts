// The security policy of the React app's pages (console, kiosk, attendee gallery). The laptop server
// and the cloud endpoint both send the same built index.html for /g/<token>, so they send one policy:
// a directive the bundle needs that one of them lacked would break that page only there.

/**
 * What the pages may load: only the serving host's own scripts, styles and connections; images also
 * from data: (the favicon) and blob: (a selfie chosen in the console's search). No inline script
 * or style, no eval, no WebAssembly (the kiosk's face detector runs on WebGL or plain JS; a
 * library's WebAssembly probe falls back by itself), no frames, no plugins, no foreign forms.
 * React's `style` props go through the CSSOM, which style-src does not govern.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
