// Tests of the diff functions of the Node binding (the scenarios run as vectors).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

const require = createRequire(import.meta.url)
const gk = require('../index.js')

const OLD = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - {name: app, image: "app:1", resources: {limits: {cpu: 1000m}}}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
stringData: {password: hunter2}
`
const NEW = OLD.replace('app:1', 'app:2').replace('1000m', '"1"').replace('hunter2', 'swordfish')

test('diffTexts returns the gitops-kit/diff/v1 report', () => {
  const r = gk.diffTexts(OLD, NEW)
  assert.equal(r.schema, 'gitops-kit/diff/v1')
  assert.equal(r.exit_code, 1)
  const [image] = r.resources[1].changes
  assert.equal(image.path, 'spec.template.spec.containers[name=app].image')
  assert.deepEqual(image.new_location, { file: '<new>', line: 8, column: 28 })
  assert.equal(r.resources[0].changes[0].hidden, true)
  assert.ok(!JSON.stringify(r).includes('hunter2') && !JSON.stringify(r).includes('swordfish'))
})

test('options in camelCase, and coded errors', () => {
  const r = gk.diffTexts(OLD, NEW, { showSecrets: true, failOn: ['scale'] })
  assert.equal(r.exit_code, 0)
  assert.equal(r.resources[0].changes[0].new, 'c3dvcmRmaXNo')
  assert.throws(() => gk.diffTexts(OLD, NEW, { mode: 'sideways' }), (e) => e.code === 'diff.invalid-argument')
  assert.throws(() => gk.diffTexts(OLD, NEW, { ignore: ['a[b'] }), (e) => e.code === 'diff.invalid-rule')
  assert.throws(() => gk.diffTexts('a: [1', NEW), (e) => e.code === 'yaml.parse' && e.line === 1)
})

test('diffTextsRender prints text and markdown without secrets', () => {
  assert.match(gk.diffTextsRender(OLD, NEW), /\+ app:2 {2}<new>:8:28/)
  const md = gk.diffTextsRender(OLD, NEW, null, 'markdown')
  assert.ok(md.startsWith('### gitops-kit diff') && !md.includes('swordfish'))
  assert.throws(() => gk.diffTextsRender(OLD, NEW, null, 'html'), (e) => e.code === 'invalid-argument')
})

test('diff (async) and diffSync read files, directories and git refs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-diff-'))
  mkdirSync(join(dir, 'a'))
  writeFileSync(join(dir, 'a', 'app.yaml'), OLD)
  writeFileSync(join(dir, 'b.yaml'), NEW)
  const r = await gk.diff(join(dir, 'a'), [join(dir, 'b.yaml')])
  assert.equal(r.resources[1].changes[0].old_location.file, join(dir, 'a', 'app.yaml'))
  assert.deepEqual(gk.diffSync(join(dir, 'a'), join(dir, 'b.yaml')), r)
  await assert.rejects(gk.diff('-', join(dir, 'b.yaml')), (e) => e.code === 'manifest.invalid-source')

  const repo = join(dir, 'repo')
  mkdirSync(repo)
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' }
  const git = (...args) => execFileSync('git', args, { cwd: repo, env, stdio: 'pipe' })
  git('init', '-q', '-b', 'prd')
  writeFileSync(join(repo, 'app.yaml'), OLD)
  git('add', '.')
  git('commit', '-q', '-m', 'one')
  git('checkout', '-q', '-b', 'stg')
  writeFileSync(join(repo, 'app.yaml'), NEW)
  git('commit', '-q', '-am', 'two')
  const g = await gk.diff('git:prd:', 'git:stg:', null, repo)
  assert.equal(g.summary.changed, 2)
  assert.equal(g.resources[1].changes[0].new_location.file, 'git:stg:app.yaml')
})
