// scratch: per-module contribution to a bundle of core
import { gzipSync } from 'node:zlib';
import { rolldown } from 'rolldown';
import path from 'node:path';
const src = path.resolve('src');
const names = (process.argv[2] ?? 'KeyPool').split(',');
const entryFile = process.argv[3] ? path.resolve(process.argv[3]) : path.join(src, "index.ts");
async function build(stub) {
  const entry = names[0] === '*' ? `export * from ${JSON.stringify(entryFile)};` : `export { ${names.join(', ')} } from ${JSON.stringify(entryFile)};`;
  const bundle = await rolldown({ input: 'entry', platform: 'neutral', logLevel: 'silent', plugins: [{ name: 'v',
    resolveId: (id) => (id === 'entry' ? id : null),
    load: (id) => (id === 'entry' ? entry : null),
    transform: stub ? (code, id) => (id.endsWith('/' + stub) ? { code: stubOf(code) } : null) : undefined,
  }] });
  const { output } = await bundle.generate({ format: 'esm', minify: true });
  await bundle.close();
  return output[0];
}
// a stub keeps the exported names (as empty things) so importers still bundle
function stubOf(code) {
  const out = [];
  for (const m of code.matchAll(/export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(function\*?|class|const|let)\s+([A-Za-z0-9_$]+)/g)) out.push(`export const ${m[2]} = globalThis.__x;`);
  return out.join('\n');
}
const base = await build();
const baseGz = gzipSync(base.code, { level: 9 }).length;
console.log('total min', base.code.length, 'gz', (baseGz / 1024).toFixed(2), 'KB');
const rows = [];
for (const [id, m] of Object.entries(base.modules)) rows.push({ file: path.relative(src, id), rendered: m.renderedLength });
rows.sort((a, b) => b.rendered - a.rendered);
if (process.env.DELTA) {
  for (const row of rows) {
    try { const s = await build(row.file); row.gzDelta = baseGz - gzipSync(s.code, { level: 9 }).length; } catch (e) { row.gzDelta = 'err'; }
  }
}
for (const r of rows) console.log(String(r.rendered).padStart(7), String(r.gzDelta ?? '').padStart(7), r.file);
