await import('/work/main/packages/emulator/dev/register-source.ts');
const { startEmulator } = await import('/work/main/packages/emulator/src/index.ts');
const KEY = 'sk-bench-0000000000000000';
const emu = await startEmulator({ keys: { [KEY]: { rpm: 100_000_000 } }, maxLogEntries: 10_000 });
const url = `${emu.baseURLs.openai}/chat/completions`;
const body = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello to the benchmark.' }],
  max_completion_tokens: 32,
});
async function run(n: number) {
  let i = 0;
  const worker = async () => {
    while (i++ < n) {
      const r = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body });
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}
await run(2000);
const c0 = process.cpuUsage();
const t0 = performance.now();
await run(10000);
const c = process.cpuUsage(c0);
const t = performance.now() - t0;
console.log(
  `wall ${t.toFixed(0)}ms, cpu user+sys ${((c.user + c.system) / 1000).toFixed(0)}ms total (client+server in one process), per request ${((c.user + c.system) / 10000).toFixed(1)}us`,
);
await emu.close();
