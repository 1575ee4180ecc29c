#!/usr/bin/env node
// Writes the PWA's PNG icons: a blue rounded square with three "beanbag" dots (otedama), drawn
// pixel by pixel and encoded with node:zlib. Run it again only to change the design; the PNGs are
// committed.
//   icon-192.png, icon-512.png  purpose "any": the tile on the app's dark background;
//   maskable-192.png, maskable-512.png  purpose "maskable": the tile colour bleeds to every edge
//     and the dots sit inside the central safe zone (a circle of 40 % of the size around the
//     centre), so any mask shape a launcher applies keeps the whole design.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../public/icons/', import.meta.url));
const BG = [0x0f, 0x11, 0x15];
const TILE = [0x4f, 0x7c, 0xff];
const DOT = [0xff, 0xff, 0xff];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Dot centres and radius as fractions of the size; `scale` shrinks them towards the centre. */
const DOTS = [
  [0.5, 0.36],
  [0.34, 0.64],
  [0.66, 0.64],
];
const DOT_R = 0.12;

function icon(size, maskable) {
  const radius = maskable ? 0 : size * 0.18; // tile corner radius
  const pad = maskable ? 0 : size * 0.06; // margin around the tile
  const scale = maskable ? 0.8 : 1; // maskable: keep the dots well inside the safe zone
  const dots = DOTS.map(([x, y]) => [(0.5 + (x - 0.5) * scale) * size, (0.5 + (y - 0.5) * scale) * size]);
  const dotR = size * DOT_R * scale;
  const raw = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    raw[y * (1 + size * 3)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const cx = Math.min(Math.max(px, pad + radius), size - pad - radius);
      const cy = Math.min(Math.max(py, pad + radius), size - pad - radius);
      const inTile = maskable || Math.hypot(px - cx, py - cy) <= radius;
      const inDot = dots.some(([dx, dy]) => Math.hypot(px - dx, py - dy) <= dotR);
      const rgb = inTile ? (inDot ? DOT : TILE) : BG;
      raw.set(rgb, y * (1 + size * 3) + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
for (const size of [192, 512]) {
  for (const [name, maskable] of [
    [`icon-${size}.png`, false],
    [`maskable-${size}.png`, true],
  ]) {
    writeFileSync(`${OUT}${name}`, icon(size, maskable));
    process.stdout.write(`wrote public/icons/${name}\n`);
  }
}
