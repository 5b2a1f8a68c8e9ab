import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** A stop function for `watchFiles`. */
export type StopWatching = () => void;

/**
 * Calls `onChange` (once per burst of events, after `debounceMs` of quiet) when any of `paths` is written, replaced
 * or removed. It watches each file's directory, not the file, so an editor's save-by-rename and the vault's atomic
 * replace are seen too. Its timers and watchers never keep the process alive.
 */
export function watchFiles(paths: readonly string[], debounceMs: number, onChange: () => void): StopWatching {
  const byDirectory = new Map<string, Set<string>>();
  for (const path of paths) {
    const full = resolve(path);
    const names = byDirectory.get(dirname(full)) ?? new Set<string>();
    names.add(basename(full));
    byDirectory.set(dirname(full), names);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
    timer.unref?.();
  };
  const watchers: FSWatcher[] = [];
  for (const [directory, names] of byDirectory) {
    const watcher = watch(directory, { persistent: false }, (_event, name) => {
      // Some platforms give no name: any change in the directory may be ours.
      if (name === null || names.has(name.toString())) schedule();
    });
    // A directory that goes away stops its watcher; the last good configuration stays.
    watcher.on('error', () => undefined);
    watchers.push(watcher);
  }
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
