// The start page: only the shared header (a file of its own: the Content-Security-Policy,
// script-src 'self', refuses inline scripts).
import { mountHeader } from './ui.js';

mountHeader(document.querySelector('.topbar'));
