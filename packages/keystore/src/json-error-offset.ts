/**
 * The offset of the first syntax error in a JSON text, or `undefined` if it is valid. `JSON.parse` reports some
 * errors only by quoting the text around them, which may hold a secret; this finds the position without quoting.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let index = 0;
  const fail = (): never => {
    throw index;
  };
  const skipSpace = () => {
    while (index < text.length && ' \t\n\r'.includes(text[index]!)) index++;
  };
  const expectText = (word: string) => {
    for (const char of word) {
      if (text[index] !== char) fail();
      index++;
    }
  };
  const parseString = () => {
    index++; // opening quote
    while (index < text.length) {
      const char = text[index]!;
      if (char === '"') {
        index++;
        return;
      }
      if (char < ' ') fail();
      if (char === '\\') {
        index++;
        const escaped = text[index];
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 1, index + 5))) fail();
          index += 4;
        } else if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) fail();
      }
      index++;
    }
    fail();
  };
  const parseNumber = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(index));
    if (!match) fail();
    index += match![0].length;
  };
  const parseValue = (): void => {
    skipSpace();
    const char = text[index];
    if (char === '{') {
      index++;
      skipSpace();
      if (text[index] === '}') {
        index++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[index] !== '"') fail();
        parseString();
        skipSpace();
        if (text[index] !== ':') fail();
        index++;
        parseValue();
        skipSpace();
        if (text[index] === ',') index++;
        else if (text[index] === '}') {
          index++;
          return;
        } else fail();
      }
    }
    if (char === '[') {
      index++;
      skipSpace();
      if (text[index] === ']') {
        index++;
        return;
      }
      for (;;) {
        parseValue();
        skipSpace();
        if (text[index] === ',') index++;
        else if (text[index] === ']') {
          index++;
          return;
        } else fail();
      }
    }
    if (char === '"') parseString();
    else if (char === 't') expectText('true');
    else if (char === 'f') expectText('false');
    else if (char === 'n') expectText('null');
    else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) parseNumber();
    else fail();
  };
  try {
    parseValue();
    skipSpace();
    if (index < text.length) fail();
    return undefined;
  } catch (offset) {
    if (typeof offset === 'number') return Math.min(offset, text.length);
    throw offset;
  }
}
