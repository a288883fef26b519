// Drift features of the Node diff binding: ownership mode, output-only filters, set semantics,
// change ids and acknowledged-drift baselines.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

const require = createRequire(import.meta.url)
const gk = require('../index.js')

const LIVE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  uid: 3c3c
  managedFields:
  - manager: argocd-controller
    operation: Apply
    fieldsType: FieldsV1
    fieldsV1:
      f:spec: {f:template: {f:spec: {f:containers: {'k:{"name":"app"}': {.: {}, f:image: {}, f:name: {}}}}}}
spec:
  template:
    spec:
      containers:
      - {name: app, image: "app:1"}
      - {name: istio-proxy, image: "proxyv2:1.20"}
`
const DESIRED = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - {name: app, image: "app:2"}
`
const cm = (mode) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\ndata: {mode: ${mode}}\n`

test('ownership mode counts foreign changes without reporting them', () => {
  const r = gk.diffTexts(LIVE, DESIRED, { mode: 'ownership' })
  assert.equal(r.summary.foreign, 1)
  assert.deepEqual(r.resources[0].changes.map((c) => c.path), ['spec.template.spec.containers[name=app].image'])
  assert.equal(r.foreign, undefined)
  const shown = gk.diffTexts(LIVE, DESIRED, { mode: 'ownership', showForeign: true })
  assert.equal(shown.foreign[0].changes[0].foreign, 'webhook')
  const text = gk.diffTextsRender(LIVE, DESIRED, { mode: 'ownership', showForeign: true }, 'text')
  assert.match(text, /foreign \(webhook\): not counted/)
})

test('hide keeps the exit code, ignore does not', () => {
  const hidden = gk.diffTexts(cm('blue'), cm('green'), { hide: ['data.mode'] })
  assert.deepEqual([hidden.exit_code, hidden.summary.hidden, hidden.resources.length], [1, 1, 0])
  assert.equal(hidden.warnings[0].code, 'diff.hidden-changes')
  const ignored = gk.diffTexts(cm('blue'), cm('green'), { ignore: ['data.mode'] })
  assert.deepEqual([ignored.exit_code, ignored.summary.ignored], [0, 1])
})

test('baselines accept hidden changes by id', () => {
  const hidden = gk.diffTexts(cm('blue'), cm('green'), { hide: ['data.mode'] })
  assert.equal(hidden.hidden_ids.length, 1)
  assert.ok(!JSON.stringify(hidden).includes('green'))
  const baseline = gk.diffBaseline(hidden)
  assert.deepEqual(baseline.changes.map((c) => c.id), hidden.hidden_ids)
  const again = gk.diffTexts(cm('blue'), cm('green'), { hide: ['data.mode'], baseline })
  assert.deepEqual([again.exit_code, again.summary.acknowledged], [0, 1])
})

test('set semantics for HPA metrics', () => {
  const old = 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  metrics: [{type: A}, {type: B}]\n'
  const reordered = old.replace('[{type: A}, {type: B}]', '[{type: B}, {type: A}]')
  assert.equal(gk.diffTexts(old, reordered).exit_code, 1)
  assert.equal(gk.diffTexts(old, reordered, { setSemantics: ['hpa-metrics-set'] }).exit_code, 0)
  assert.throws(() => gk.diffTexts(old, reordered, { setSemantics: 'metrics' }), { code: 'diff.invalid-argument' })
})

test('change ids are the documented hash', () => {
  const change = gk.diffTexts(cm('blue'), cm('green')).resources[0].changes[0]
  const text = 'gitops-kit/diff-id/v1\n\nConfigMap\nshop\nc\ndata.mode\nchanged\n"blue"\n"green"'
  assert.equal(change.id, createHash('sha256').update(text).digest('hex').slice(0, 16))
})

test('baselines acknowledge changes until the value changes again', () => {
  const report = gk.diffTexts(cm('blue'), cm('green'))
  const baseline = gk.diffBaseline(report)
  assert.equal(baseline.schema, 'gitops-kit/diff-baseline/v1')
  baseline.changes[0].note = 'accepted'
  const file = join(mkdtempSync(join(tmpdir(), 'gk-bl-')), 'drift.json')
  writeFileSync(file, JSON.stringify(baseline))
  const acked = gk.diffTexts(cm('blue'), cm('green'), { baseline: file })
  assert.deepEqual([acked.exit_code, acked.summary.acknowledged, acked.acknowledged[0].note], [0, 1, 'accepted'])
  assert.equal(gk.diffTexts(cm('blue'), cm('green'), { baseline }).exit_code, 0)
  assert.equal(gk.diffTexts(cm('blue'), cm('red'), { baseline }).exit_code, 1)
  assert.deepEqual(gk.diffBaseline(acked, file).changes, baseline.changes)
  assert.throws(() => gk.diffTexts(cm('a'), cm('b'), { baseline: { schema: 'x' } }), { code: 'diff.invalid-baseline' })
  assert.throws(() => gk.diffBaseline({}, { schema: 'x' }), { code: 'diff.invalid-baseline' })
})
