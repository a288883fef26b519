// Images from Node: references, lints, sites, rewrites (golden files shared with Rust and
// Python), tag schemes and linking on a real git repository, sync and async variants.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const gk = require('../index.js')

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const GOLDEN = join(ROOT, 'tests', 'vectors', 'image', 'golden')
const EXAMPLES = join(ROOT, 'examples', 'shop')

test('parseImage gives every form and never throws for an invalid reference', () => {
  const r = gk.parseImage('index.docker.io/library/nginx:1.25')
  assert.equal(r.valid, true)
  assert.deepEqual([r.domain, r.path, r.tag], ['docker.io', 'library/nginx', '1.25'])
  assert.equal(r.canonical, 'docker.io/library/nginx:1.25')
  assert.equal(r.familiar, 'nginx:1.25')
  assert.deepEqual(r.spans.tag, [30, 34])
  assert.equal(gk.parseImage('user/app:1.0', 'strict').domain, 'user')
  const bad = gk.parseImage('app@sha256:' + 'A'.repeat(64))
  assert.equal(bad.valid, false)
  assert.equal(bad.error.code, 'image.digest-format')
  assert.throws(() => gk.parseImage('x', 'sloppy'), (e) => e.code === 'image.invalid-argument')
})

test('lints, sanitizeTag and sameRepository', () => {
  assert.deepEqual(gk.lintImage('nginx:latest').map((l) => l.code), ['image.latest-tag'])
  assert.equal(gk.lintImage('nginx:qa', { mutableTags: ['qa'] })[0].code, 'image.mutable-tag')
  assert.equal(gk.sanitizeTag('feature/login'), 'feature-login')
  assert.equal(gk.sanitizeTag('Feature/X', true), 'feature-x')
  assert.equal(gk.sameRepository('nginx', 'registry-1.docker.io/library/nginx:1'), true)
  assert.equal(gk.sameRepository('m.example.com/a', 'r.example.com/a', { 'm.example.com': 'r.example.com' }), true)
  assert.equal(gk.sameRepository('nginx', 'ghcr.io/nginx'), false)
})

test('image sites from text, files (sync and async), extra paths', async () => {
  const sync = gk.loadImageSitesSync(EXAMPLES)
  assert.equal(sync.schema, 'gitops-kit/images/v1')
  assert.equal(sync.sites.length, 3)
  assert.deepEqual(await gk.loadImageSites(EXAMPLES), sync)
  assert.equal(sync.sites[0].resource.apiVersion, 'apps/v1')
  const text = 'apiVersion: example.com/v1\nkind: Runner\nmetadata: {name: r}\nspec:\n  image: ghcr.io/org/r:1\n'
  const extra = gk.imageSites(text, 'r.yaml', { extraPaths: [{ kind: 'Runner', pointer: '/spec/image' }] })
  assert.deepEqual(extra.sites.map((s) => [s.image, s.line, s.column, s.field]), [['ghcr.io/org/r:1', 5, 10, 'extra']])
})

const goldens = readdirSync(GOLDEN).filter((f) => f.endsWith('.input.yml')).map((f) => f.slice(0, -'.input.yml'.length)).sort()

test('golden files exist', () => assert.ok(goldens.length >= 3))

for (const name of goldens) {
  test(`golden rewrite ${name}`, () => {
    const text = readFileSync(join(GOLDEN, `${name}.input.yml`), 'utf8')
    const expected = readFileSync(join(GOLDEN, `${name}.expected.yml`), 'utf8')
    const edits = readFileSync(join(GOLDEN, `${name}.edits.txt`), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)
    const out = gk.setImages(text, edits, name)
    assert.equal(out.text, expected)
    assert.deepEqual(out.unmatched, [])
  })
}

test('setImages refusals and setImagesInPaths in place', async () => {
  const pod = 'kind: Pod\nspec:\n  containers:\n  - image: nginx:1.25 # keep\n'
  assert.throws(
    () => gk.setImages(pod, ['nginx=:latest'], 'p.yaml', { forbidLatest: true }),
    (e) => e.code === 'image.forbidden' && e.file === 'p.yaml' && e.line === 4 && e.column === 12,
  )
  assert.throws(() => gk.setImages(pod, ['nginx=:a/b']), (e) => e.code === 'image.invalid-reference')
  const dir = mkdtempSync(join(tmpdir(), 'gk-image-'))
  writeFileSync(join(dir, 'p.yaml'), pod)
  writeFileSync(join(dir, 'q.yaml'), 'kind: Pod\n')
  const dry = gk.setImagesInPathsSync(dir, [{ selector: 'nginx', new: ':1.27' }])
  assert.equal(dry.written, false)
  assert.equal(dry.files[0].text, pod.replace('1.25', '1.27'))
  const report = await gk.setImagesInPaths(dir, ['nginx=:1.27'], null, true)
  assert.equal(report.written, true)
  assert.equal(readFileSync(join(dir, 'p.yaml'), 'utf8'), pod.replace('1.25', '1.27'))
  assert.equal(readFileSync(join(dir, 'q.yaml'), 'utf8'), 'kind: Pod\n')
})

function git(cwd, ...args) {
  const env = {
    ...process.env,
    GIT_AUTHOR_DATE: '1718000000 +0000',
    GIT_COMMITTER_DATE: '1718000000 +0000',
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.com',
  }
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim()
}

test('tag schemes and linking, sync and async', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-code-'))
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'one')
  git(dir, 'tag', 'v2.0.0')
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'two')
  const head = git(dir, 'rev-parse', 'HEAD')
  const first = git(dir, 'rev-parse', 'HEAD~1')
  const scheme = '{branch}-{sha:12}-{ts}'
  const rendered = gk.tagForCommitSync(scheme, dir, 'main', 'main')
  assert.equal(rendered.tag, `main-${head.slice(0, 12)}-1718000000`)
  assert.deepEqual(await gk.tagForCommit(scheme, dir, 'main', 'main'), rendered)
  assert.equal(gk.renderTag(scheme, rendered.facts), rendered.tag)
  assert.deepEqual(gk.parseTag(scheme, rendered.tag).sort_key, [1718000000])
  const link = await gk.linkImage(`ghcr.io/org/app:${rendered.tag}`, scheme, dir, 'main')
  assert.equal(link.commit, head)
  assert.equal(link.confidence, 'high')
  assert.equal(gk.linkImageSync('app:v2.0.0', 'v{semver}', dir).commit, first)
  const order = await gk.orderByGit([`sha-${first.slice(0, 7)}`, `sha-${head.slice(0, 7)}`], 'sha-{sha:7}', dir, 'main')
  assert.deepEqual(order.map((e) => e.commit), [head, first])
  assert.deepEqual(gk.orderByGitSync([`sha-${first.slice(0, 7)}`], 'sha-{sha:7}', dir, 'main')[0].position, 1)
  await assert.rejects(gk.linkImage('app:sha-0000000', 'sha-{sha:7}', dir), (e) => e.code.startsWith('git.'))
  assert.throws(() => gk.renderTag('{branch}:{sha}', { sha: head }), (e) => e.code === 'image.invalid-scheme')
})
