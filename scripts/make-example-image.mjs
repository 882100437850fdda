#!/usr/bin/env node
// Draws the GraphiQL page's default example picture, src/graphiql/example.jpg: a 1024×768 street
// scene (a house, a car, a tree, a bicycle, a shop sign with text) so that the explorer has something
// a person can look at and OCR has lines to find. The synthetic test models have random weights, so
// the content matters only to the eye; the size matters (a real photo's, not 16×16).
//
// The JPEG is committed: its sha256 is the example's image id (EXAMPLE_IMAGE_ID in
// src/graphiql/examples.ts, checked by test/browser/examples.test.ts). Rendering text depends
// on the fonts installed, so rerun this only to change the picture, then update the id.
//
//   node scripts/make-example-image.mjs
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const WIDTH = 1024;
const HEIGHT = 768;
/** Quality 82: no visible blocking on flat colours at well under the page's 300 KB budget. */
const JPEG_QUALITY = 82;
const output = fileURLToPath(new URL('../src/graphiql/example.jpg', import.meta.url));

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#5b9bd5"/><stop offset="1" stop-color="#cfe6f7"/>
    </linearGradient>
    <linearGradient id="road" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#6b6b6b"/><stop offset="1" stop-color="#3f3f3f"/>
    </linearGradient>
    <radialGradient id="sun"><stop offset="0" stop-color="#fff6c2"/><stop offset="1" stop-color="#ffd34d"/></radialGradient>
  </defs>
  <rect width="${WIDTH}" height="520" fill="url(#sky)"/>
  <circle cx="880" cy="110" r="58" fill="url(#sun)"/>
  <g fill="#ffffff" opacity="0.9">
    <ellipse cx="210" cy="110" rx="90" ry="30"/><ellipse cx="270" cy="92" rx="60" ry="34"/><ellipse cx="160" cy="95" rx="50" ry="26"/>
    <ellipse cx="600" cy="70" rx="70" ry="22"/><ellipse cx="645" cy="58" rx="45" ry="24"/>
  </g>
  <path d="M0 430 Q 180 340 360 420 T 720 400 T 1024 380 L 1024 540 L 0 540 Z" fill="#7fb069"/>
  <rect y="520" width="${WIDTH}" height="248" fill="#8fbf5a"/>
  <rect y="560" width="${WIDTH}" height="150" fill="url(#road)"/>
  <g fill="#f2f2f2">${Array.from({ length: 9 }, (_, i) => `<rect x="${20 + i * 120}" y="630" width="70" height="10"/>`).join('')}</g>
  <rect y="548" width="${WIDTH}" height="12" fill="#b9b4aa"/>

  <!-- the house -->
  <rect x="90" y="300" width="300" height="250" fill="#e8d8b0" stroke="#8a6d3b" stroke-width="4"/>
  <polygon points="70,305 240,190 410,305" fill="#b5483a" stroke="#6e2a21" stroke-width="4"/>
  <rect x="310" y="205" width="34" height="70" fill="#8a4b3a"/>
  <rect x="215" y="430" width="60" height="120" fill="#6e4a2f"/><circle cx="262" cy="492" r="5" fill="#e0c36b"/>
  <g fill="#a9d6f5" stroke="#ffffff" stroke-width="5">
    <rect x="120" y="340" width="70" height="60"/><rect x="300" y="340" width="70" height="60"/>
    <rect x="120" y="440" width="70" height="60"/>
  </g>
  <text x="245" y="290" font-family="DejaVu Sans" font-weight="bold" font-size="22" fill="#6e2a21" text-anchor="middle">No. 42</text>

  <!-- the shop with its sign -->
  <rect x="560" y="330" width="330" height="220" fill="#d9e2ec" stroke="#52606d" stroke-width="4"/>
  <rect x="575" y="350" width="300" height="62" fill="#1f3a5f" rx="6"/>
  <text x="725" y="392" font-family="DejaVu Sans" font-weight="bold" font-size="30" fill="#ffffff" text-anchor="middle">FLORENCE CAFE</text>
  <rect x="590" y="430" width="120" height="110" fill="#9ec9e8" stroke="#52606d" stroke-width="3"/>
  <rect x="740" y="430" width="70" height="120" fill="#52606d"/>
  <rect x="598" y="470" width="104" height="34" fill="#ffffff"/>
  <text x="650" y="494" font-family="DejaVu Sans" font-size="18" fill="#b5483a" text-anchor="middle">OPEN 8-18</text>
  <g stroke="#c0392b" stroke-width="8">
    ${Array.from({ length: 6 }, (_, i) => `<line x1="${570 + i * 55}" y1="420" x2="${595 + i * 55}" y2="420"/>`).join('')}
  </g>

  <!-- the tree -->
  <rect x="455" y="380" width="28" height="170" fill="#7a5230"/>
  <circle cx="469" cy="340" r="70" fill="#3f8f3f"/><circle cx="430" cy="370" r="45" fill="#4a9e48"/>
  <circle cx="510" cy="372" r="48" fill="#378a37"/>

  <!-- the car -->
  <g>
    <path d="M150 640 L 175 585 Q 185 570 205 570 L 330 570 Q 350 570 365 585 L 405 620 L 455 630 Q 470 634 470 650 L 470 672 L 150 672 Z"
      fill="#d63031" stroke="#7b1113" stroke-width="4"/>
    <path d="M195 585 L 262 585 L 262 620 L 180 620 Z M 275 585 L 335 585 L 372 620 L 275 620 Z" fill="#cde7f7"/>
    <circle cx="225" cy="674" r="30" fill="#222"/><circle cx="225" cy="674" r="13" fill="#aaa"/>
    <circle cx="400" cy="674" r="30" fill="#222"/><circle cx="400" cy="674" r="13" fill="#aaa"/>
    <rect x="452" y="640" width="16" height="10" fill="#ffe08a"/>
  </g>

  <!-- the bicycle -->
  <g stroke="#2d3436" stroke-width="6" fill="none">
    <circle cx="760" cy="690" r="42"/><circle cx="890" cy="690" r="42"/>
    <path d="M760 690 L 810 630 L 870 630 L 890 690 M 810 630 L 825 690 L 870 630 M 805 615 L 825 615 M 870 630 L 865 605 L 885 600"/>
  </g>

  <!-- a street sign -->
  <rect x="958" y="440" width="10" height="118" fill="#7f8c8d"/>
  <rect x="920" y="400" width="86" height="50" fill="#27ae60" stroke="#ffffff" stroke-width="3" rx="4"/>
  <text x="963" y="432" font-family="DejaVu Sans" font-weight="bold" font-size="17" fill="#ffffff" text-anchor="middle">MAIN ST</text>
</svg>`;

const jpeg = await sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).jpeg({ quality: JPEG_QUALITY, mozjpeg: true }).toBuffer();
writeFileSync(output, jpeg);
const id = `sha256:${createHash('sha256').update(jpeg).digest('hex')}`;
console.log(`${output}: ${WIDTH}×${HEIGHT}, ${(jpeg.byteLength / 1024).toFixed(0)} KB, id ${id}`);
