import { LuaScript } from './lua-script';
import { MERGE_WINDOWS_SCRIPT } from './scripts/merge-windows-script';
import { READ_SCRIPT } from './scripts/read-script';
import { RECORD_SCRIPT } from './scripts/record-script';
import { RELEASE_SCRIPT } from './scripts/release-script';
import { RESERVE_SCRIPT } from './scripts/reserve-script';
import { RESTORE_SCRIPT } from './scripts/restore-script';
import { SET_STATUS_SCRIPT } from './scripts/set-status-script';

/** The store's Lua scripts, each run by EVALSHA (loaded on first use, and again after a Redis restart). */
export function redisScripts() {
  return {
    reserve: new LuaScript(RESERVE_SCRIPT),
    record: new LuaScript(RECORD_SCRIPT),
    read: new LuaScript(READ_SCRIPT),
    setStatus: new LuaScript(SET_STATUS_SCRIPT),
    restore: new LuaScript(RESTORE_SCRIPT),
    release: new LuaScript(RELEASE_SCRIPT),
    mergeWindows: new LuaScript(MERGE_WINDOWS_SCRIPT),
  };
}
