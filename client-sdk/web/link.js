// The page's link, read as the very first thing a page does: i18n.js imports this module before
// it waits for the page's strings (top-level await), so the credential leaves the address bar at
// once, not after the dictionary has loaded. dom.js linkParams() hands out what was read here.

const CREDENTIALS = ['token', 'invite', 'key'];

// Reads a link: ?meeting=ID in the query, the credential in the fragment (#token=, #invite=,
// #key=; old links carry it in the query and still work). The credential leaves the address bar
// at once, so it is not bookmarked, shared with the URL or shown on a projected screen.
function readLink() {
  const q = new URLSearchParams(location.search);
  const f = new URLSearchParams(location.hash.replace(/^#/, ''));
  const out = { meetingId: q.get('meeting') || '' };
  let found = false;
  for (const name of CREDENTIALS) {
    out[name] = f.get(name) || q.get(name) || '';
    found = found || f.has(name) || q.has(name);
    q.delete(name);
    f.delete(name);
  }
  if (found) {
    const query = q.toString();
    const fragment = f.toString();
    history.replaceState(history.state, '',
      `${location.pathname}${query ? `?${query}` : ''}${fragment ? `#${fragment}` : ''}`);
  }
  return out;
}

export const pageLink = globalThis.location && globalThis.history ? readLink() : { meetingId: '', token: '', invite: '', key: '' };
