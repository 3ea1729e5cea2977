import { readFileSync } from 'node:fs';
import { main } from './main';

// dist/cli.mjs sits one folder below package.json, in the repository and in an installed package alike.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
process.exitCode = await main(process.argv.slice(2), version);
