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
  assert.throws(() => gk.diffTextsRender(OLD, NEW, null, 'html'), (e) => e.code === 'diff.invalid-argument')
})

// Every spelling of the Secret values of OLD and NEW: plain, base64, and their lengths.
const SECRETS = ['hunter2', 'aHVudGVyMg', 'swordfish', 'c3dvcmRmaXNo', '7 bytes', '9 bytes', 'length']

// A tiny RFC 6902 applier (add, remove, replace, move) for the tests.
function applyPatch(doc, ops) {
  const tokens = (p) => p.split('/').slice(1).map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
  const parentOf = (root, p) => tokens(p).slice(0, -1).reduce((n, t) => n[Array.isArray(n) ? Number(t) : t], root)
  const last = (p) => tokens(p).at(-1)
  const take = (root, p) => {
    const parent = parentOf(root, p)
    if (Array.isArray(parent)) return parent.splice(Number(last(p)), 1)[0]
    const v = parent[last(p)]
    delete parent[last(p)]
    return v
  }
  const put = (root, p, v) => {
    if (p === '') return v
    const parent = parentOf(root, p)
    if (Array.isArray(parent)) {
      assert.ok(Number(last(p)) <= parent.length, p)
      parent.splice(Number(last(p)), 0, v)
    } else parent[last(p)] = v
    return root
  }
  for (const op of ops) {
    if (op.op === 'remove') doc = op.path === '' ? null : (take(doc, op.path), doc)
    else if (op.op === 'replace') doc = op.path === '' ? op.value : (take(doc, op.path), put(doc, op.path, op.value))
    else if (op.op === 'add') doc = put(doc, op.path, op.value)
    else if (op.op === 'move') doc = put(doc, op.path, take(doc, op.from))
    else assert.fail(`unknown op ${op.op}`)
  }
  return doc
}

test('diffTextsRender unified: one header pair per object, reported changes only', () => {
  const text = gk.diffTextsRender(OLD, NEW, null, 'unified')
  assert.ok(text.startsWith('--- old/v1/Secret/shop/db\t<old>:10\n+++ new/v1/Secret/shop/db\t<new>:10\n'), text)
  assert.ok(text.includes('-  password: <hidden>\n+  password: "<hidden: changed>"\n'), text)
  assert.ok(text.includes('-          image: app:1\n+          image: app:2\n'), text)
  assert.ok(!text.includes('cpu: "1"'), 'equal quantities are no change')
  assert.equal(gk.diffTextsRender(OLD, OLD, null, 'unified'), '')
})

test('diffTextsRender patch: applying it to the OLD document gives the NEW one', () => {
  const ports = (list) => `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: ${list}\n`
  const report = JSON.parse(gk.diffTextsRender(ports('[{port: 1}, {port: 2}, {port: 3}]'), ports('[{port: 3, name: c}, {port: 4}]'), null, 'patch'))
  assert.equal(report.schema, 'gitops-kit/diff-patch/v1')
  const [svc] = report.resources
  const old = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 1 }, { port: 2 }, { port: 3 }] } }
  assert.deepEqual(applyPatch(old, svc.patch).spec.ports, [{ port: 3, name: 'c' }, { port: 4 }])
  const [added] = JSON.parse(gk.diffTextsRender('', NEW, null, 'patch')).resources
  assert.equal(added.patch[0].path, '')
  assert.equal(applyPatch(null, added.patch).metadata.name, 'db')
  const shown = JSON.parse(gk.diffTextsRender(OLD, NEW, { showSecrets: true }, 'patch'))
  assert.deepEqual(shown.warnings, [])
  assert.deepEqual(shown.resources[0].patch, [{ op: 'replace', path: '/data/password', value: 'c3dvcmRmaXNo' }])
})

test('unified and patch never show a Secret value, its base64 or its length', () => {
  for (const format of ['unified', 'patch']) {
    for (const [a, b] of [[OLD, NEW], [NEW, OLD], ['', NEW], [OLD, '']]) {
      const out = gk.diffTextsRender(a, b, null, format)
      for (const secret of SECRETS) assert.ok(!out.includes(secret), `${format} leaks ${secret}: ${out}`)
    }
  }
  assert.ok(gk.diffTextsRender(OLD, NEW, null, 'patch').includes('"code": "diff.patch-hidden-values"'))
})

test('diffRender and diffRenderSync render sources with the CLI exit code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-render-'))
  writeFileSync(join(dir, 'old.yaml'), OLD)
  writeFileSync(join(dir, 'new.yaml'), NEW)
  const r = await gk.diffRender(join(dir, 'old.yaml'), join(dir, 'new.yaml'), null, 'unified')
  assert.equal(r.exitCode, 1)
  assert.ok(r.output.includes(`--- old/v1/Secret/shop/db\t${join(dir, 'old.yaml')}:10\n`), r.output)
  assert.deepEqual(gk.diffRenderSync(join(dir, 'old.yaml'), [join(dir, 'new.yaml')], null, 'unified'), r)
  assert.equal(gk.diffRenderSync(join(dir, 'old.yaml'), join(dir, 'old.yaml'), null, 'patch').exitCode, 0)
  await assert.rejects(gk.diffRender(join(dir, 'old.yaml'), join(dir, 'new.yaml'), null, 'html'), (e) => e.code === 'diff.invalid-argument')
  assert.throws(() => gk.diffRenderSync('-', join(dir, 'new.yaml')), (e) => e.code === 'manifest.invalid-source')
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

test('secretKey adds keyed fingerprints to hidden changes, never values', () => {
  const r = gk.diffTexts(OLD, NEW, { secretKey: 'k' })
  const [password] = r.resources[0].changes
  // printf %s hunter2 | openssl dgst -sha256 -hmac k
  assert.equal(password.old_fingerprint, 'hmac-sha256:0cd9cde64b418f83')
  assert.notEqual(password.new_fingerprint, password.old_fingerprint)
  assert.deepEqual(gk.diffTexts(OLD, NEW, { secretKey: 'k' }), r)
  const unified = gk.diffTextsRender(OLD, NEW, { secretKey: 'k' }, 'unified')
  assert.ok(unified.includes('-  password: "<hidden: hmac-sha256:0cd9cde64b418f83>"'), unified)
  for (const secret of SECRETS) assert.ok(!JSON.stringify(r).includes(secret) && !unified.includes(secret), secret)
  assert.throws(() => gk.diffTexts(OLD, NEW, { secretKey: '' }), (e) => e.code === 'diff.invalid-argument')
})
