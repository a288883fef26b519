// Validation for an environment from Node: environment, branch, commit, codeRepo, against,
// againstText (GK-G003, GK-G006, GK-R009, GK-G010).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

const require = createRequire(import.meta.url)
const gk = require('../index.js')

const CONFIG = `version: 1
images:
  - {id: web, repository: registry.example.com/shop/web, tag_scheme: "{branch}-{sha:12}"}
environments:
  stg: {manifest_branch: stg, code_branch: stg, target: {namespace: shop-stg}}
  prd: {manifest_branch: prd, after: [stg], target: {namespace: shop}, policy: {allowed_code_refs: [stg]}}
previews: {branch_pattern: "pr-*", namespace_template: "shop-pr-{pr}"}
`

const deployment = (namespace, image, replicas = 1) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ${namespace}}\n` +
  `spec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: web}}\n` +
  '  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n' +
  `        - {name: web, image: ${image}}\n`

const envRules = (report) =>
  report.findings.filter((f) => f.rule[3] === 'G' || f.rule === 'GK-R009').map((f) => [f.rule, f.severity, f.line, f.column])

const IMAGE = 'registry.example.com/shop/web:main-3f2a9c1d4e5b'
const skipRules = ['GK-G005']

test('environment, branch and commit feed the environment rules', async () => {
  const text = deployment('shop-stg', IMAGE)
  const prd = gk.validateText(text, 'web.yaml', { configText: CONFIG, environment: 'prd', skipRules })
  assert.deepEqual(envRules(prd), [['GK-G006', 'error', 3, 34], ['GK-R009', 'info', 5, 13]])
  assert.deepEqual(envRules(gk.validateText(text, 'web.yaml', { configText: CONFIG, environment: 'stg', skipRules })), [])
  const preview = gk.validateText(text, 'web.yaml', { configText: CONFIG, branch: 'pr-3', skipRules })
  assert.match(preview.findings[0].message, /shop-pr-3/)
  const wrong = gk.validateText(text, 'web.yaml', { configText: CONFIG, environment: 'stg', commit: 'abcdef1234', skipRules })
  assert.deepEqual(envRules(wrong), [['GK-G003', 'error', 11, 30]])
  const dir = mkdtempSync(join(tmpdir(), 'gk-validate-env-'))
  writeFileSync(join(dir, 'web.yaml'), text)
  writeFileSync(join(dir, 'gitops-kit.yaml'), CONFIG)
  const fromFiles = await gk.validateAsync(join(dir, 'web.yaml'), {
    config: join(dir, 'gitops-kit.yaml'),
    environment: 'stg',
    commit: 'abcdef1234',
    skipRules,
  })
  assert.deepEqual(envRules(fromFiles), [['GK-G003', 'error', 11, 30]])
})

test('against and againstText compare overlays (GK-G010)', () => {
  const text = deployment('shop-stg', IMAGE, 2)
  const base = deployment('shop', 'registry.example.com/shop/web:main-aaaaaaaaaaaa', 5)
  assert.deepEqual(envRules(gk.validateText(text, 'web.yaml', { againstText: base, skipRules })), [])
  const dir = mkdtempSync(join(tmpdir(), 'gk-validate-against-'))
  writeFileSync(join(dir, 'base.yaml'), base.replace('{name: web, image', '{name: web, args: [--debug], image'))
  const report = gk.validateText(text, 'web.yaml', { against: [join(dir, 'base.yaml')], skipRules })
  const g010 = report.findings.filter((f) => f.rule === 'GK-G010')
  assert.equal(g010.length, 1)
  assert.equal(g010[0].severity, 'info')
  assert.match(g010[0].message, /^spec\.template\.spec\.containers\[name=web\]\.args is only in the baseline /)
})

test('codeRepo links tags to commits reachable from the allowed code refs', () => {
  const repo = mkdtempSync(join(tmpdir(), 'gk-validate-code-'))
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' }
  const git = (...args) => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' }).trim()
  git('init', '-q', '-b', 'stg')
  git('commit', '-q', '--allow-empty', '-m', 'one')
  const onStg = git('rev-parse', 'HEAD')
  git('checkout', '-q', '-b', 'feature')
  git('commit', '-q', '--allow-empty', '-m', 'two')
  const offStg = git('rev-parse', 'HEAD')
  const g003 = (sha) =>
    gk
      .validateText(deployment('shop', `registry.example.com/shop/web:x-${sha.slice(0, 12)}`, 2), 'web.yaml', {
        configText: CONFIG,
        environment: 'prd',
        codeRepo: repo,
      })
      .findings.filter((f) => f.rule === 'GK-G003')
      .map((f) => f.message)
  assert.deepEqual(g003(onStg), [])
  const [message] = g003(offStg)
  assert.ok(message.includes(`links to commit ${offStg}, which is not reachable from stg`), message)
})

test('environment errors carry codes', () => {
  assert.throws(() => gk.validateText('a: 1\n', 'x.yaml', { configText: CONFIG, environment: 'qa' }), {
    code: 'validate.unknown-environment',
  })
  assert.throws(() => gk.validateText('a: 1\n', 'x.yaml', { configText: 'validation: {}\n', environment: 'prd' }), {
    code: 'validate.config',
    line: 1,
  })
  assert.throws(() => gk.validateText('a: 1\n', 'x.yaml', { commit: 'abcdef1' }), { code: 'validate.invalid-argument' })
})
