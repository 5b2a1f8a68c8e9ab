/** Commander's collector for an option that may be given several times (`--base-url a=... --base-url b=...`). */
export function collectRepeated(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
