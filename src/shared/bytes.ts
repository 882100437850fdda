/**
 * Byte counts in messages, two ways for two jobs: `formatBytes` rounds a measured size for a person
 * watching progress (binary units, as file managers show), `formatByteLimit` states a configured
 * limit exactly (the decimal unit the setting was written in, or the plain count).
 */

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `512 B`, `1.50 KiB`, `23.4 MiB`: three significant digits, binary units. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${BINARY_UNITS[unit] ?? 'B'}`;
}

/**
 * A limit as written in its setting: `20 MB` for 20000000 (whole tenths of a megabyte, as
 * MAX_IMAGE_BYTES is usually set), otherwise the exact count (`4500 bytes`), never a rounded figure
 * that would hide how close a refused size came.
 */
export function formatByteLimit(bytes: number): string {
  return bytes >= 1e6 && bytes % 1e5 === 0 ? `${bytes / 1e6} MB` : `${bytes} bytes`;
}
