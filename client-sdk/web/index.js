// The start page: the shared header, and the admin key handed to the console in the fragment
// (never in a query string). A file of its own: the Content-Security-Policy (script-src 'self')
// refuses inline scripts.
import { mountHeader } from './dom.js';

mountHeader(document.querySelector('.topbar'));
document.getElementById('go').addEventListener('submit', (ev) => {
  ev.preventDefault();
  location.assign(`console.html#${new URLSearchParams({ key: document.getElementById('key').value })}`);
});
