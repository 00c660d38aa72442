#!/usr/bin/env node
'use strict';
// The `hotpath` command. The code lives in the bundle that `npm run build:cli` writes to dist-cli/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist-cli', 'hotpath.js');
if (!existsSync(bundle)) {
  process.stderr.write('hotpath is not built: run `npm run build:cli`\n');
  process.exit(1);
}
require(bundle).run(process.argv.slice(2));
