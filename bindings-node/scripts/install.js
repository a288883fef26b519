#!/usr/bin/env node
// npm `install` hook: make sure a native addon that loads on this machine is present.
//
// - If `index.js` already loads an addon (a prebuilt `gitops-kit.<platform>.node` shipped in the
//   package, or one built earlier), nothing happens.
// - Otherwise the addon is compiled from the Rust sources with `napi build --platform --release`.
//   That needs cargo (https://rustup.rs) and the gitops-kit source tree (this directory must be
//   `bindings-node/` of a gitops-kit checkout, as with `npm install <path>/bindings-node`).
//   @napi-rs/cli is taken from this package's node_modules when present (after `npm ci`);
//   otherwise the pinned version from package.json is run through `npm exec`.
// - During development (`npm install` / `npm ci` inside this directory) nothing is built:
//   run `npm run build` or `npm run build:debug` yourself.
//
// Environment: GITOPS_KIT_BUILD_FROM_SOURCE=1 forces a build; GITOPS_KIT_SKIP_BUILD=1 skips it.
'use strict'

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const log = (msg) => console.error(`gitops-kit: ${msg}`)

function addonLoads() {
  const probe = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', root], {
    stdio: 'ignore',
  })
  return probe.status === 0
}

function isDevelopmentInstall() {
  const initCwd = process.env.INIT_CWD
  return initCwd !== undefined && path.resolve(initCwd) === root
}

function napiCommand() {
  try {
    const cliPkg = require.resolve('@napi-rs/cli/package.json', { paths: [root] })
    const bin = require(cliPkg).bin
    const rel = typeof bin === 'string' ? bin : bin.napi
    return [process.execPath, [path.join(path.dirname(cliPkg), rel)]]
  } catch {
    const version = require(path.join(root, 'package.json')).devDependencies['@napi-rs/cli']
    const npmCli = process.env.npm_execpath
    const npm = npmCli ? [process.execPath, [npmCli]] : ['npm', []]
    return [npm[0], [...npm[1], 'exec', '--yes', `--package=@napi-rs/cli@${version}`, '--', 'napi']]
  }
}

function main() {
  if (process.env.GITOPS_KIT_SKIP_BUILD) return 0
  const force = Boolean(process.env.GITOPS_KIT_BUILD_FROM_SOURCE)
  if (!force && isDevelopmentInstall()) return 0
  if (!force && addonLoads()) return 0

  if (!fs.existsSync(path.join(root, 'Cargo.toml'))) {
    log('no prebuilt native addon for this platform, and no Rust sources to build one from.')
    log('Install from a gitops-kit checkout (npm install <checkout>/bindings-node) to build it.')
    return 1
  }
  const cargo = spawnSync('cargo', ['--version'], { stdio: 'ignore' })
  if (cargo.status !== 0) {
    log('building the native addon from source needs cargo (Rust), which was not found on PATH.')
    log('Install Rust from https://rustup.rs and run the installation again.')
    return 1
  }
  log('no prebuilt native addon found; building it from source (this takes a minute or two)...')
  const [cmd, args] = napiCommand()
  const build = spawnSync(cmd, [...args, 'build', '--platform', '--release'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (build.status !== 0) {
    log(`the build failed (${build.error ? build.error.message : `exit code ${build.status}`}).`)
    return 1
  }
  if (!addonLoads()) {
    log('the addon was built but does not load; see the error from `node -e "require(\'gitops-kit\')"`.')
    return 1
  }
  return 0
}

process.exitCode = main()
