// npm run native: gets better-sqlite3's native binding for the Electron in node_modules/electron and
// puts it in build/native/<platform>-<arch>/better_sqlite3.node — beside, never instead of, the Node
// build in node_modules (tests, the relay and the headless gate keep loading that one). The app's
// engine process opens its databases with this copy (GATEHOUSE_SQLITE_BINDING); electron-builder ships
// it as resources/native/. `npm start` and `npm run package` run this first.
//
// It tries a prebuilt binary (prebuild-install, from GitHub), then compiling one (@electron/rebuild,
// which needs Electron's headers). When neither can run it stops with one line saying what is missing.
// Flags: --platform P --arch A (default: this machine), --out DIR (default build/native/P-A),
// --prebuild-host URL and --headers-url URL (mirrors, for networks that cannot reach the defaults).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    platform: { type: 'string', default: process.platform },
    arch: { type: 'string', default: process.arch },
    out: { type: 'string' },
    'prebuild-host': { type: 'string' },
    'headers-url': { type: 'string' },
  },
});
const FILE = 'better_sqlite3.node';
const target = `${flags.platform}-${flags.arch}`;
const outDir = resolve(flags.out ?? join(root, 'build', 'native', target));
const outFile = join(outDir, FILE);
const manifestFile = join(outDir, 'binding.json');

function fail(line) {
  process.stderr.write(`native: ${line}\n`);
  process.exit(1);
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const electronDir = join(root, 'node_modules', 'electron');
const moduleDir = join(root, 'node_modules', 'better-sqlite3');
if (!existsSync(join(electronDir, 'package.json')))
  fail('node_modules/electron is missing; run `npm ci` first');
if (!existsSync(join(moduleDir, 'package.json')))
  fail('node_modules/better-sqlite3 is missing; run `npm ci` first');
const electron = readJson(join(electronDir, 'package.json')).version;
const abi = Number(readFileSync(join(electronDir, 'abi_version'), 'utf8').trim());
const sqliteVersion = readJson(join(moduleDir, 'package.json')).version;
const wanted = { electron, abi, betterSqlite3: sqliteVersion, platform: flags.platform, arch: flags.arch };
const label = `better-sqlite3 ${sqliteVersion} for Electron ${electron} (ABI ${abi}, ${target})`;

/**
 * The module ABI a binding was built for, found by loading it in this Node: it loads (this Node's
 * ABI), or Node names the version it was compiled against. Only checks bindings for this platform.
 */
function abiOf(file) {
  const probe = spawnSync(
    process.execPath,
    ['-e', `process.dlopen({ exports: {} }, ${JSON.stringify(file)})`],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status === 0) return Number(process.versions.modules);
  const match = /NODE_MODULE_VERSION (\d+)/.exec(probe.stderr);
  return match ? Number(match[1]) : null;
}

const isThisMachine = flags.platform === process.platform && flags.arch === process.arch;
function checkAbi(file) {
  if (!isThisMachine) return null;
  const found = abiOf(file);
  if (found === abi) return null;
  if (found === Number(process.versions.modules))
    return `${file} is a Node ${process.versions.node} build (ABI ${found}), not Electron's (ABI ${abi})`;
  return `${file} is built for ABI ${found ?? 'unknown'}, not Electron ${electron}'s (ABI ${abi})`;
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const writeManifest = () =>
  writeFileSync(manifestFile, `${JSON.stringify({ ...wanted, sha256: sha256(outFile) }, null, 2)}\n`);

const failures = [];
// Already there: built by an earlier run (manifest matches), or copied in by hand (ABI checked).
if (existsSync(outFile)) {
  const manifest = existsSync(manifestFile) ? readJson(manifestFile) : null;
  const isCurrent =
    manifest !== null &&
    Object.entries(wanted).every(([key, value]) => manifest[key] === value) &&
    manifest.sha256 === sha256(outFile);
  if (isCurrent) {
    process.stdout.write(`native: ${label} is up to date in ${outDir}\n`);
    process.exit(0);
  }
  const problem = checkAbi(outFile);
  if (problem === null && manifest === null) {
    writeManifest();
    process.stdout.write(`native: using the ${label} found in ${outDir}\n`);
    process.exit(0);
  }
  if (problem !== null) {
    // A wrong build would crash the app on its first database: it goes, and a right one is fetched.
    rmSync(outFile);
    rmSync(manifestFile, { force: true });
    failures.push(`removed ${problem}`);
  }
}

// A private copy of the package to build in, so node_modules/better-sqlite3 is never touched.
const stage = join(root, 'build', 'native', '.stage', target);
const staged = join(stage, 'node_modules', 'better-sqlite3');
rmSync(stage, { recursive: true, force: true });
mkdirSync(dirname(staged), { recursive: true });
cpSync(moduleDir, staged, { recursive: true, filter: (path) => !path.startsWith(join(moduleDir, 'build')) });
writeFileSync(
  join(stage, 'package.json'),
  JSON.stringify({ name: 'stage', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }),
);
const built = join(staged, 'build', 'Release', FILE);

/** Why a tool failed, in a few words, for the one-line summary. */
function reason(result, offline) {
  if (result.error) return result.error.message;
  if (result.status === 0) return 'it produced no binding';
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network connectivity/i.test(output)) return offline;
  const line = output.split('\n').find((text) => /error|fail/i.test(text)) ?? 'failed';
  return line.trim().slice(0, 160);
}

/**
 * The environment for the build tools, without npm's idea of which Node to build for: under `npm run`,
 * a distribution's npmrc (Debian: nodedir=/usr) would make node-gyp compile against this Node's
 * headers instead of Electron's.
 */
function toolEnvironment() {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|platform|build_from_source)$/i.test(key),
    ),
  );
}

function tryPrebuilt() {
  const env = toolEnvironment();
  if (flags['prebuild-host']) env.npm_config_better_sqlite3_binary_host = flags['prebuild-host'];
  return spawnSync(
    join(root, 'node_modules', '.bin', 'prebuild-install'),
    ['--runtime', 'electron', '--target', electron, '--platform', flags.platform, '--arch', flags.arch],
    { cwd: staged, env, encoding: 'utf8', timeout: 300_000 },
  );
}

function tryCompile() {
  const options = {
    buildPath: stage,
    electronVersion: electron,
    arch: flags.arch,
    platform: flags.platform,
    onlyModules: ['better-sqlite3'],
    force: true,
    buildFromSource: true,
    ...(flags['headers-url'] ? { headerURL: flags['headers-url'] } : {}),
  };
  // A file, not `-e`: @electron/rebuild forks workers with this process's flags.
  const script = join(stage, 'rebuild.mjs');
  const entry = pathToFileURL(join(root, 'node_modules', '@electron', 'rebuild', 'lib', 'main.js')).href;
  writeFileSync(script, `import { rebuild } from '${entry}';\nawait rebuild(${JSON.stringify(options)});\n`);
  return spawnSync(process.execPath, [script], {
    cwd: stage,
    env: toolEnvironment(),
    encoding: 'utf8',
    timeout: 1_800_000,
  });
}

const prebuilt = tryPrebuilt();
if (prebuilt.status !== 0 || !existsSync(built)) {
  const prebuildHost = new URL(flags['prebuild-host'] ?? 'https://github.com').host;
  failures.push(`no prebuilt binary (${reason(prebuilt, `cannot download it from ${prebuildHost}`)})`);
  const compiled = tryCompile();
  const headersHost = new URL(flags['headers-url'] ?? 'https://www.electronjs.org').host;
  if (compiled.status !== 0 || !existsSync(built))
    failures.push(
      `cannot compile one (${reason(compiled, `cannot download Electron's headers from ${headersHost}`)})`,
    );
}
if (!existsSync(built)) {
  rmSync(join(root, 'build', 'native', '.stage'), { recursive: true, force: true });
  fail(
    `cannot get ${label}: ${failures.join('; ')}. Run \`npm run native\` where github.com or ` +
      `electronjs.org is reachable, name a mirror (--prebuild-host URL, --headers-url URL), or copy an ` +
      `Electron ${electron} ${FILE} into ${outDir}/`,
  );
}
const problem = checkAbi(built);
if (problem !== null) fail(problem);
mkdirSync(outDir, { recursive: true });
copyFileSync(built, outFile);
writeManifest();
rmSync(join(root, 'build', 'native', '.stage'), { recursive: true, force: true });
process.stdout.write(`native: ${label} → ${outFile}\n`);
