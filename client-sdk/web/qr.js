// QR codes for the room display (check-in) and the chair console (links). The encoder is the npm
// package qrcode-generator (client-sdk/web/package-lock.json), a chunk of its own that only these
// pages load; should it fail to load, qrSvg returns null and the pages show the text alone.

let encoder = null;
export const qrReady = import('qrcode-generator')
  .then((m) => { encoder = m.default; })
  .catch(() => { encoder = null; });

export const qrAvailable = () => encoder !== null;

// The code as an SVG element drawn through the DOM (no markup strings, no data: URL), so it scales
// to any screen and needs nothing from the page's Content-Security-Policy; null until the encoder
// has loaded.
export function qrSvg(text, label) {
  if (!encoder) return null;
  const qr = encoder(0, 'M'); // type 0: the smallest version that holds the text
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 2; // the light margin scanners need around the code, in modules
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n + 2 * quiet} ${n + 2 * quiet}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + quiet},${r + quiet}h1v1h-1z`;
  }
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(path);
  return svg;
}
