// Environments from Node: loadConfig, resolve, gate, checkConfig and the EnvConfig class.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const gk = require('../index.js')

const SAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'gitops-kit.yaml')
const text = readFileSync(SAMPLE, 'utf8')
const sample = () => gk.loadConfig(text, 'gitops-kit.yaml')

test('loadConfig gives an EnvConfig with the promotion order', () => {
  const cfg = sample()
  assert.ok(cfg instanceof gk.EnvConfig)
  assert.equal(cfg.file, 'gitops-kit.yaml')
  assert.deepEqual(cfg.order(), ['dev', 'stg', 'prd'])
  assert.deepEqual(cfg.next('dev'), ['stg'])
  assert.deepEqual(cfg.previous('prd'), ['stg'])
  assert.deepEqual(cfg.warnings(), [])
  assert.equal(gk.EnvConfig.fromFile(SAMPLE).order().length, 3)
  assert.equal(cfg.list().schema, 'gitops-kit/env-list/v1')
})

test('resolve returns the CLI JSON, with snake_case keys', () => {
  const cfg = sample()
  const prd = cfg.resolve('prd')
  assert.equal(prd.schema, 'gitops-kit/env/v1')
  assert.equal(prd.matched_by, 'exact')
  assert.deepEqual(prd.target, { cluster: 'prd-eu-1', namespace: 'orders' })
  assert.equal(gk.resolve(cfg, 'nothing'), null)
  const preview = gk.resolve(text, 'pr-5')
  assert.equal(preview.preview.namespace, 'orders-pr-5')
  assert.deepEqual(gk.resolve(cfg, 'stg'), cfg.resolve('stg'))
})

test('gate: approvals, self-approval, next opening', () => {
  const cfg = sample()
  const at = '2026-12-01T09:00:00Z'
  const closed = cfg.gate('prd', at, ['ann:sre', { who: 'ben', groups: ['sre'] }], 'Ben')
  assert.equal(closed.open, false)
  assert.deepEqual(closed.reasons.map((r) => r.code), ['approvals'])
  assert.deepEqual(closed.approvals.ignored, [{ who: 'ben', reason: 'self-approval' }])
  const open = gk.gate(cfg, 'prd', at, ['ann:sre', 'ben:orders-owners'], 'cat')
  assert.equal(open.open, true)
  assert.equal(open.window.kind, 'allow')
  const friday = gk.gate(text, 'prd', '2026-11-27T10:00:00Z', null, null, 'gitops-kit.yaml')
  assert.equal(friday.next_open, '2026-12-01T08:00:00Z')
  assert.equal(friday.reasons[0].file, 'gitops-kit.yaml')
})

test('errors carry code and location', () => {
  assert.throws(
    () => gk.loadConfig('version: 1\nenvironments:\n  dev:\n    manifest_branch: dev\n    colour: red\n', 'c.yaml'),
    (err) => err.code === 'env.unknown-key' && err.file === 'c.yaml' && err.line === 5 && err.column === 5,
  )
  const cfg = sample()
  assert.throws(() => cfg.gate('qa', '2026-11-27T10:00:00Z'), { code: 'env.no-such-environment' })
  assert.throws(() => cfg.gate('prd', 'tomorrow'), { code: 'env.invalid-argument' })
  assert.throws(() => cfg.gate('prd', '2026-11-27T10:00:00Z', [{ who: 'x', group: 'typo' }]), { code: 'env.invalid-argument' })
  assert.throws(() => gk.loadConfig('environments: [\n'), { code: 'yaml.parse' })
  const report = gk.checkConfig('version: 1\nenvironments:\n  a: {manifest_branch: a, after: [zz]}\n', 'c.yaml')
  assert.equal(report.valid, false)
  assert.deepEqual(report.errors.map((e) => [e.code, e.line, e.column]), [['env.unknown-environment', 3, 35]])
})

test('sections of other modules are handed over as data', () => {
  const cfg = gk.loadConfig('version: 1\nenvironments: {}\ndiff: {ignore: [/status]}\n')
  assert.deepEqual(cfg.section('diff'), { ignore: ['/status'] })
  assert.equal(cfg.section('validation'), null)
})
