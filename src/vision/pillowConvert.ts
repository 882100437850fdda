/**
 * Pillow's `convert('RGB')` where libvips converts differently. libvips turns CMYK into sRGB through
 * a colour profile; Pillow 9.4 (`cmyk2rgb` in libImaging/Convert.c) ignores profiles and computes
 * each channel as (255 − K) − X·(255 − K)/255 with its integer `MULDIV255` rounding. The other
 * conversions (alpha dropped without blending, grey repeated into three channels, palettes looked
 * up, 16-bit RGB cut to its high byte) already agree with sharp's, measured on Pillow 9.4.
 *
 * One difference is kept on purpose: Pillow opens a 16-bit greyscale PNG as 32-bit integers and
 * `convert('RGB')` clips them at 255 (nearly every pixel white); sharp scales them to 8 bits.
 */

/** Interleaved CMYK bytes → interleaved RGB bytes, as Pillow converts them. */
export function cmykToRgb(cmyk: Uint8Array): Uint8Array {
  if (cmyk.length % 4 !== 0) throw new RangeError(`CMYK data comes in 4-byte pixels; got ${cmyk.length} bytes`);
  const pixels = cmyk.length / 4;
  const rgb = new Uint8Array(pixels * 3);
  for (let pixel = 0; pixel < pixels; pixel++) {
    const inkless = 255 - (cmyk[pixel * 4 + 3] ?? 0);
    for (let channel = 0; channel < 3; channel++) {
      rgb[pixel * 3 + channel] = inkless - mulDiv255(cmyk[pixel * 4 + channel] ?? 0, inkless);
    }
  }
  return rgb;
}

/** a·b/255 rounded to nearest, in integers, as Pillow's MULDIV255 macro computes it. */
function mulDiv255(a: number, b: number): number {
  const product = a * b + 128;
  return ((product >> 8) + product) >> 8;
}
