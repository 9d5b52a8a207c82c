/**
 * The `iam-trust` command-line tool.
 *
 * @packageDocumentation
 */

import { readFileSync } from 'node:fs';
import { run } from './cli';

run(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  readFile: path => readFileSync(path, 'utf8'),
}).then(code => {
  process.exitCode = code;
});
