// The benchmark's upstream, in its own process so it does not share the measured process's event loop.
import { registerSourceHooks } from '../test/source-hooks.ts';

registerSourceHooks();
const { startEmulator } = await import('@keypool/emulator');
const emulator = await startEmulator({ acceptAnyKey: true, maxLogEntries: 0 });
process.send?.({ type: 'ready', baseURL: emulator.baseURLs.openai });
process.on('message', async (message: { type: string }) => {
  if (message.type === 'close') {
    await emulator.close();
    process.exit(0);
  }
});
