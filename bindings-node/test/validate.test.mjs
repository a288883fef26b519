// Validation from Node: the gitops-kit/validate/v1 report, options, errors, async.
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const gk = require('../index.js')

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'shop')
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\ndatta: {k: v}\n'

test('a text report is located', () => {
  const report = gk.validateText(CM, 'cm.yaml')
  assert.deepEqual(Object.keys(report), ['schema', 'summary', 'findings'])
  assert.equal(report.schema, 'gitops-kit/validate/v1')
  assert.deepEqual(report.summary, { files: 1, resources: 1, errors: 1, warnings: 0, infos: 0, suppressed: 0 })
  const [f] = report.findings
  assert.deepEqual([f.rule, f.line, f.column, f.end_line, f.end_column, f.pointer], ['GK-S006', 4, 1, 4, 6, '/datta'])
  assert.deepEqual(f.resource, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'a' })
})

test('options: strict, skipRules, kubernetesVersion, configText', () => {
  assert.deepEqual(gk.validateText(CM, 'cm.yaml', { strict: false }).findings, [])
  assert.deepEqual(gk.validateText(CM, 'cm.yaml', { skipRules: ['GK-S006'] }).findings, [])
  assert.equal(gk.validateText(CM, 'cm.yaml', { kubernetesVersion: '1.27' }).findings[0].rule, 'GK-S006')
  const configText = 'validation:\n  rules:\n    GK-S006: warning\n'
  assert.equal(gk.validateText(CM, 'cm.yaml', { configText }).findings[0].severity, 'warning')
})

test('sources, sync and async give the same report', async () => {
  const sync = gk.validate(EXAMPLES)
  assert.equal(sync.summary.files, 6)
  assert.equal(sync.summary.errors, 0)
  const async = await gk.validateAsync([EXAMPLES])
  assert.deepEqual(async, sync)
  const dir = mkdtempSync(join(tmpdir(), 'gk-validate-'))
  writeFileSync(join(dir, 'broken.yaml'), 'kind: [x\n')
  assert.deepEqual(gk.validate(dir).findings.map((f) => f.rule), ['GK-S001'])
})

test('errors carry codes', async () => {
  assert.throws(() => gk.validateText(CM, 'cm.yaml', { kubernetesVersion: '1.2' }), { code: 'validate.unknown-version' })
  assert.throws(() => gk.validateText(CM, 'cm.yaml', { nope: 1 }), { code: 'invalid-argument' })
  assert.throws(() => gk.validate('-'), { code: 'invalid-argument' })
  await assert.rejects(gk.validateAsync('/nonexistent/x.yaml'), { code: 'manifest.not-found' })
  assert.throws(() => gk.validateText(CM, 'cm.yaml', { configText: 'validation:\n  rules:\n    GK-S006: loud\n' }), {
    code: 'validate.config',
    line: 3,
  })
})

test('catalog and versions', () => {
  const versions = gk.kubernetesVersions()
  assert.equal(versions[0], '1.27')
  assert.equal(versions.at(-1), '1.37')
  const rules = Object.fromEntries(gk.validationRules().map((r) => [r.id, r]))
  assert.equal(rules['GK-S006'].severity, 'error')
  assert.equal(rules['GK-G011'].severity, null)
})
