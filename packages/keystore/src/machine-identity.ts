import { readFile } from 'node:fs/promises';
import { homedir, hostname, userInfo } from 'node:os';
import type { MachineIdentitySource } from './vault-file-format';

/** The identity a machine-bound vault's key is derived from. */
export interface MachineIdentity {
  source: MachineIdentitySource;
  /** Key material: machine id (or host name), user name and home directory. Not a secret to anyone on the machine. */
  value: string;
}

const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'];

async function readMachineId(): Promise<string | undefined> {
  for (const file of MACHINE_ID_FILES) {
    try {
      const id = (await readFile(file, 'utf8')).trim();
      if (id !== '') return id;
    } catch {
      // not on this system: try the next place
    }
  }
  return undefined;
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? String(process.getuid?.() ?? 'unknown');
  }
}

/**
 * This machine's identity for a machine-bound vault: `/etc/machine-id` (or `/var/lib/dbus/machine-id`) when there is
 * one, else the host name, combined with the user name and home directory. `required` asks for the source a vault
 * file was written with; `undefined` when that source is not available here.
 */
export async function readMachineIdentity(
  required?: MachineIdentitySource,
): Promise<MachineIdentity | undefined> {
  const user = `user:${userName()}\nhome:${homedir()}`;
  if (required !== 'hostname') {
    const machineId = await readMachineId();
    if (machineId !== undefined) return { source: 'machine-id', value: `machine-id:${machineId}\n${user}` };
    if (required === 'machine-id') return undefined;
  }
  return { source: 'hostname', value: `hostname:${hostname()}\n${user}` };
}
