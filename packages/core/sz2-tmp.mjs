import { rolldown } from 'rolldown';
import { gzipSync } from 'node:zlib';
const names = (process.argv[2]||'createPoolEngine,ProviderError,PoolExhaustedError,StreamInterruptedError,ConfigError').split(',');
const from = process.cwd()+'/src/'+(process.argv[3]||'engine.ts');
const entry = `export { ${names.join(', ')} } from ${JSON.stringify(from)};`;
const bundle = await rolldown({ input:'entry', platform:'neutral', logLevel:'silent', plugins:[{name:'v', resolveId:(id)=>id==='entry'?id:null, load:(id)=>id==='entry'?entry:null}]});
const { output } = await bundle.generate({ format:'esm', minify:true, sourcemap:true });
const c = output[0];
console.log('total gz', (gzipSync(c.code,{level:9}).length/1024).toFixed(2), 'min', c.code.length);
const map = c.map; const B='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function dec(s){const r=[];let v=0,sh=0;for(const ch of s){let d=B.indexOf(ch);const cont=d&32;d&=31;v+=d<<sh;if(cont)sh+=5;else{const neg=v&1;v>>=1;r.push(neg?-v:v);v=0;sh=0;}}return r;}
const lines = c.code.split('\n'); const by={};
let src=0; const ml = map.mappings.split(';');
ml.forEach((line,li)=>{ let col=0; const segs=line.split(',').filter(Boolean).map(dec); let prev=null;
 for(const s of segs){ col+=s[0]; if(s.length>1) src+=s[1]; if(prev) by[prev.src]=(by[prev.src]||0)+(col-prev.col); prev={col,src}; if(s.length>2){ /*track*/ } if(s.length>3){} }
 if(prev) by[prev.src]=(by[prev.src]||0)+(lines[li].length-prev.col);
 // fix other fields accumulators
});
const rows = Object.entries(by).map(([i,n])=>[map.sources[i]?.split('/').pop(), n]).sort((a,b)=>b[1]-a[1]);
let tot=0; for (const r of rows){ tot+=r[1]; console.log(String(r[1]).padStart(6), r[0]); }
console.log('attributed', tot);
await bundle.close();
