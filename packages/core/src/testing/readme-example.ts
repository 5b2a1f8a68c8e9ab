/** What {@link readmeExampleParts} finds: the block's imports the test lacks, the block's body and the test's copy. */
export interface ReadmeExampleParts {
  /** Import lines of the block that do not stand, as written, in the test's source. */
  missingImports: string[];
  /** The block without its import lines, trimmed. */
  body: string;
  /** The test's lines between `// --- README example start` and `// --- README example end`, dedented, trimmed. */
  region: string;
}

const START = '// --- README example start';
const END = '// --- README example end';

/**
 * Splits a README code block for a test that runs it as written: the test imports what the block imports (each
 * import statement stands in its source, wrapped or not) and holds the rest between `// --- README example start` and
 * `// --- README example end`. A test asserts `missingImports` is empty and `region` equals `body`.
 */
export function readmeExampleParts(block: string, testSource: string): ReadmeExampleParts {
  const lines = block.split('\n');
  // The test's import statements, each on one line as the block writes it (a formatter may wrap a long one).
  const own = new Set([...testSource.matchAll(/^import [^;]*;/gm)].map((match) => sameImport(match[0])));
  const missingImports = lines.filter((line) => line.startsWith('import ') && !own.has(sameImport(line)));
  const body = lines
    .filter((line) => !line.startsWith('import '))
    .join('\n')
    .trim();
  const from = testSource.indexOf(START);
  const to = testSource.indexOf(END);
  const inner = from >= 0 && to > from ? testSource.slice(testSource.indexOf('\n', from) + 1, to) : '';
  const innerLines = inner.split('\n');
  const indent = Math.min(
    ...innerLines.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length),
  );
  const region = innerLines
    .map((line) => line.slice(Number.isFinite(indent) ? indent : 0))
    .join('\n')
    .trim();
  return { missingImports, body, region };
}

/** An import statement with its white space folded and no trailing comma, so a wrapped one reads as on one line. */
function sameImport(statement: string): string {
  return statement.replace(/\s+/g, ' ').replace(/,\s*}/, ' }').replace(/{\s+/, '{ ').trim();
}
