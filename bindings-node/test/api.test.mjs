// The public JS API: manifests from text, files, directories and git; the Repo class; coded
// errors; hostile inputs; asynchronous calls that keep the event loop free; the d.ts.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const gk = require('../index.js')
const HERE = dirname(fileURLToPath(import.meta.url))
const PACKAGE = join(HERE, '..')

const CODE = /^[a-z]+(\.[a-z]+(-[a-z]+)*)?(-[a-z]+)*$/

const tempDirs = []
function tempDir() {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-kit-node-')))
  tempDirs.push(dir)
  return dir
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

function write(root, rel, content) {
  const path = join(root, rel)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, content)
  return path
}

/** Asserts that `fn` throws (or that the promise rejects with) a coded gitops-kit error. */
function isCoded(expected) {
  return (err) => {
    assert.ok(err instanceof Error, `an Error, got ${err}`)
    assert.match(err.code, CODE, `err.code of: ${err.message}`)
    for (const [key, value] of Object.entries(expected)) {
      assert.deepStrictEqual(err[key], value, `err.${key} (${err.code}: ${err.message})`)
    }
    return true
  }
}

const configMap = (name, ns) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}data:\n  key: value\n`

const summary = (over) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  namespace: null,
  generateName: false,
  document: 0,
  line: 1,
  column: 1,
  ...over,
})

describe('manifests from text', () => {
  test('parseManifests names the input <string> by default', () => {
    assert.deepStrictEqual(gk.parseManifests(configMap('a', 'ns')), [
      summary({ name: 'a', namespace: 'ns', file: '<string>' }),
    ])
  })

  test('parseManifests with a file name and lenient options', () => {
    const text = `${configMap('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  name: c\n`
    assert.throws(() => gk.parseManifests(text, 'two.yaml'), isCoded({ code: 'yaml.duplicate-key', file: 'two.yaml', line: 12, column: 3 }))
    const got = gk.parseManifests(text, 'two.yaml', { lenient: true })
    assert.deepStrictEqual(got.map((s) => [s.name, s.document, s.line]), [['a', 0, 1], ['c', 1, 8]])
  })

  test('manifestReport lists problems', () => {
    const report = gk.manifestReport('foo: bar\n---\n' + configMap('a'), 'r.yaml')
    assert.equal(report.schema, 'gitops-kit/manifests/v1')
    assert.equal(report.files, 1)
    assert.deepStrictEqual(report.resources, [summary({ name: 'a', file: 'r.yaml', document: 1, line: 3 })])
    assert.deepStrictEqual(report.problems.map((p) => [p.code, p.document, p.line]), [['manifest.not-an-object', 0, 1]])
  })

  test('unknown options and wrong option types are invalid-argument', () => {
    assert.throws(() => gk.parseManifests('a: 1', null, { depth: 3 }), isCoded({ code: 'invalid-argument' }))
    assert.throws(() => gk.yamlToJson('a: 1', null, { maxDepth: 'x' }), isCoded({ code: 'invalid-argument' }))
    assert.throws(() => gk.yamlToJson('a: 1', null, { lenient: 1 }), isCoded({ code: 'invalid-argument' }))
    assert.throws(() => gk.yamlToJson('a: 1', null, 'lenient'), isCoded({ code: 'invalid-argument' }))
    assert.deepStrictEqual(gk.yamlToJson('a: 1', null, { maxDepth: undefined, maxNodes: null }), [{ a: 1 }])
  })
})

describe('manifests from files and directories', () => {
  let dir
  before(() => {
    dir = tempDir()
    write(dir, 'b/web.yaml', configMap('web', 'shop'))
    write(dir, 'a.yml', `${configMap('one')}---\n${configMap('two')}`)
    write(dir, 'c/d/cm.json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' } }))
    write(dir, '.hidden/skip.yaml', configMap('hidden'))
    write(dir, 'notes.txt', 'not: read\n')
  })

  test('loadManifestsSync reads a file', () => {
    const file = join(dir, 'b/web.yaml')
    assert.deepStrictEqual(gk.loadManifestsSync(file), [summary({ name: 'web', namespace: 'shop', file })])
  })

  test('loadManifestsSync reads a directory sorted, skipping hidden directories and other files', () => {
    const got = gk.loadManifestsSync(dir)
    assert.deepStrictEqual(got.map((s) => [s.name, s.file]), [
      ['one', join(dir, 'a.yml')],
      ['two', join(dir, 'a.yml')],
      ['web', join(dir, 'b/web.yaml')],
      ['j', join(dir, 'c/d/cm.json')],
    ])
  })

  test('loadManifests resolves to what loadManifestsSync returns, for a list of paths in order', async () => {
    const paths = [join(dir, 'c'), join(dir, 'b/web.yaml'), join(dir, 'a.yml')]
    const got = await gk.loadManifests(paths)
    assert.deepStrictEqual(got, gk.loadManifestsSync(paths))
    assert.deepStrictEqual(got.map((s) => s.name), ['j', 'web', 'one', 'two'])
  })

  test('missing paths, stdin and bad options: sync throws, async rejects', async () => {
    const missing = join(dir, 'nope.yaml')
    assert.throws(() => gk.loadManifestsSync(missing), isCoded({ code: 'manifest.not-found' }))
    await assert.rejects(gk.loadManifests(missing), isCoded({ code: 'manifest.not-found' }))
    await assert.rejects(gk.loadManifests('-'), isCoded({ code: 'manifest.invalid-source' }))
    await assert.rejects(gk.loadManifests(''), isCoded({ code: 'manifest.invalid-source' }))
    await assert.rejects(gk.loadManifests(dir, { nope: true }), isCoded({ code: 'invalid-argument' }))
  })

  test('a broken file rejects with its location', async () => {
    const bad = tempDir()
    write(bad, 'ok.yaml', configMap('ok'))
    const file = write(bad, 'z/bad.yaml', 'a: 1\nb: [1\n')
    await assert.rejects(gk.loadManifests(bad), isCoded({ code: 'yaml.parse', file }))
    assert.throws(() => gk.loadManifestsSync(bad), isCoded({ code: 'yaml.parse', file }))
  })

  test('a binary file is yaml.binary; a file over maxInputBytes is yaml.limit', async () => {
    const bin = write(tempDir(), 'bin.yaml', Buffer.from([0x61, 0x3a, 0x20, 0x00, 0xff, 0x0a]))
    await assert.rejects(gk.loadManifests(bin), isCoded({ code: 'yaml.binary', file: bin }))
    const big = write(tempDir(), 'big.yaml', configMap('big'))
    await assert.rejects(gk.loadManifests(big, { maxInputBytes: 10 }), isCoded({ code: 'yaml.limit', file: big, line: 1, column: 1 }))
  })
})

describe('Repo', () => {
  let dir
  let c1
  let c2
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Alice',
    GIT_AUTHOR_EMAIL: 'alice@example.com',
    GIT_COMMITTER_NAME: 'Alice',
    GIT_COMMITTER_EMAIL: 'alice@example.com',
  }
  const git = (...args) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim()
  const commitAt = (date, message) => {
    env.GIT_AUTHOR_DATE = date
    env.GIT_COMMITTER_DATE = date
    git('add', '-A')
    git('commit', '-q', '-m', message)
    return git('rev-parse', 'HEAD')
  }

  before(() => {
    dir = tempDir()
    git('init', '-q', '-b', 'main')
    write(dir, 'README.md', '# manifests\n')
    write(dir, 'deploy/web.yaml', configMap('web', 'shop'))
    write(dir, 'deploy/cm.yaml', configMap('cm', 'shop'))
    c1 = commitAt('2024-01-01T00:00:00Z', 'add web')
    git('tag', 'v1')
    git('tag', '-a', '-m', 'first release', 'release-1')
    git('branch', 'stg')
    write(dir, 'deploy/web.yaml', configMap('web', 'shop').replace('value', 'changed'))
    write(dir, 'deploy/svc.yaml', configMap('svc', 'shop'))
    rmSync(join(dir, 'README.md'))
    c2 = commitAt('2024-01-02T00:00:00Z', 'scale web\n\nwith a body')
  })

  test('open, discover and path', () => {
    assert.equal(gk.Repo.open(dir).path, dir)
    assert.equal(gk.Repo.discover(join(dir, 'deploy')).path, dir)
    assert.throws(() => gk.Repo.open(join(dir, 'deploy')), isCoded({ code: 'git.open' }))
    assert.throws(() => gk.Repo.open(tempDir()), isCoded({ code: 'git.open' }))
    assert.throws(() => new gk.Repo(), Error)
  })

  test('resolve, sync and async', async () => {
    const repo = gk.Repo.open(dir)
    assert.equal(repo.resolve('main'), c2)
    assert.equal(repo.resolve('v1'), c1)
    assert.equal(repo.resolve('release-1'), c1)
    assert.equal(repo.resolve(c1.slice(0, 8)), c1)
    assert.equal(await repo.resolveAsync('stg'), c1)
    assert.throws(() => repo.resolve('nope'), isCoded({ code: 'git.ref-not-found' }))
    await assert.rejects(repo.resolveAsync('nope'), isCoded({ code: 'git.ref-not-found' }))
  })

  test('errors from git carry no location', () => {
    assert.throws(() => gk.Repo.open(dir).resolve('nope'), (err) => {
      assert.equal(err.code, 'git.ref-not-found')
      assert.ok(!('file' in err) && !('line' in err) && !('column' in err))
      return true
    })
  })

  test('readFile, listFiles, readFiles', async () => {
    const repo = gk.Repo.open(dir)
    const web = repo.readFile('main', 'deploy/web.yaml')
    assert.ok(Buffer.isBuffer(web))
    assert.equal(web.toString(), readFileSync(join(dir, 'deploy/web.yaml'), 'utf8'))
    assert.deepStrictEqual(await repo.readFileAsync('v1', 'README.md'), Buffer.from('# manifests\n'))
    assert.throws(() => repo.readFile('main', 'README.md'), isCoded({ code: 'git.path-not-found' }))
    assert.throws(() => repo.readFile('main', 'deploy'), isCoded({ code: 'git.invalid-argument' }))

    assert.deepStrictEqual(repo.listFiles('main'), ['deploy/cm.yaml', 'deploy/svc.yaml', 'deploy/web.yaml'])
    assert.deepStrictEqual(await repo.listFilesAsync('v1', 'deploy/'), ['deploy/cm.yaml', 'deploy/web.yaml'])
    assert.throws(() => repo.listFiles('main', 'nope'), isCoded({ code: 'git.path-not-found' }))

    const files = repo.readFiles('v1')
    assert.deepStrictEqual(files.map((f) => f.path), ['README.md', 'deploy/cm.yaml', 'deploy/web.yaml'])
    assert.ok(files.every((f) => Buffer.isBuffer(f.data)))
    assert.deepStrictEqual(await repo.readFilesAsync('v1'), files)
  })

  test('log, changedPaths, tags and commit prefixes', async () => {
    const repo = gk.Repo.open(dir)
    const log = repo.log('main')
    assert.deepStrictEqual(log, [
      { id: c2, author_name: 'Alice', author_email: 'alice@example.com', time: 1704153600, subject: 'scale web', parents: [c1] },
      { id: c1, author_name: 'Alice', author_email: 'alice@example.com', time: 1704067200, subject: 'add web', parents: [] },
    ])
    assert.deepStrictEqual(repo.log('main', { exclude: 'v1' }), [log[0]])
    assert.deepStrictEqual(await repo.logAsync('main', { exclude: 'stg', firstParent: true }), [log[0]])

    const changed = [
      { path: 'README.md', change: 'deleted' },
      { path: 'deploy/svc.yaml', change: 'added' },
      { path: 'deploy/web.yaml', change: 'modified' },
    ]
    assert.deepStrictEqual(repo.changedPaths('v1', 'main'), changed)
    assert.deepStrictEqual(await repo.changedPathsAsync(c1, c2), changed)

    assert.deepStrictEqual(repo.tagsPointingAt(c1), ['release-1', 'v1'])
    assert.deepStrictEqual(await repo.tagsPointingAtAsync('main'), [])
    assert.equal(repo.findCommitByPrefix(c2.slice(0, 7)), c2)
    assert.equal(await repo.findCommitByPrefixAsync(c1.slice(0, 10).toUpperCase()), c1)
    assert.throws(() => repo.findCommitByPrefix('zz'), isCoded({ code: 'git.invalid-argument' }))
  })

  test('commit writes and deletes files, then a stale expectedTip is git.conflict', async () => {
    const repo = gk.Repo.open(dir)
    const author = { name: 'Deploy Bot', email: 'bot@example.com', time: 1704240000, offsetMinutes: 120 }
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const id = repo.commit({
      branch: 'stg',
      changes: [
        { path: 'deploy/new.yaml', data: configMap('new') },
        { path: 'deploy/blob.bin', data: bytes },
        { path: 'deploy/cm.yaml' },
      ],
      message: 'stg: add new',
      author,
      committer: { ...author, name: 'Committer', time: 1704240060, offsetMinutes: -300 },
      expectedTip: c1,
    })
    assert.equal(git('rev-parse', 'stg'), id)
    assert.equal(git('log', '-1', '--format=%an|%ae|%at|%ai|%cn|%ct|%ci|%P|%B', 'stg'),
      `Deploy Bot|bot@example.com|1704240000|2024-01-03 02:00:00 +0200|Committer|1704240060|2024-01-02 19:01:00 -0500|${c1}|stg: add new`)
    assert.equal(git('show', 'stg:deploy/new.yaml'), configMap('new').trim())
    assert.deepStrictEqual(repo.readFile('stg', 'deploy/blob.bin'), bytes)
    assert.deepStrictEqual(repo.listFiles('stg'), ['README.md', 'deploy/blob.bin', 'deploy/new.yaml', 'deploy/web.yaml'])
    assert.equal(git('status', '--porcelain'), '', 'the work tree is untouched')
    assert.equal(git('fsck', '--no-progress'), '')

    const stale = { branch: 'stg', changes: [{ path: 'x.yaml', data: 'x: 1\n' }], message: 'late', author, expectedTip: c1 }
    assert.throws(() => repo.commit(stale), isCoded({ code: 'git.conflict' }))
    await assert.rejects(repo.commitAsync(stale), isCoded({ code: 'git.conflict' }))
    assert.equal(git('rev-parse', 'stg'), id, 'the branch did not move')

    const next = await repo.commitAsync({ ...stale, expectedTip: id, message: 'refs/heads form', branch: 'refs/heads/stg' })
    assert.equal(git('rev-parse', 'stg'), next)
    assert.equal(repo.readFile('stg', 'x.yaml').toString(), 'x: 1\n')

    assert.throws(() => repo.commit({ ...stale, expectedTip: next, changes: [] }), isCoded({ code: 'git.invalid-argument' }))
    assert.throws(() => repo.commit({ ...stale, branch: 'nope', expectedTip: undefined }), isCoded({ code: 'git.ref-not-found' }))
    assert.throws(() => repo.commit({ ...stale, expectedTip: undefined, changes: [{ path: 'missing.yaml' }] }), isCoded({ code: 'git.path-not-found' }))
    assert.throws(() => repo.commit({ ...stale, expectedTip: undefined, changes: [{ path: '../x', data: '' }] }), isCoded({ code: 'git.invalid-argument' }))
  })

  test('manifests from a revision, through the Repo and through loadManifests', async () => {
    const repo = gk.Repo.open(dir)
    const atV1 = repo.loadManifests('v1', 'deploy')
    assert.deepStrictEqual(atV1, [
      summary({ name: 'cm', namespace: 'shop', file: 'git:v1:deploy/cm.yaml' }),
      summary({ name: 'web', namespace: 'shop', file: 'git:v1:deploy/web.yaml' }),
    ])
    assert.deepStrictEqual(await repo.loadManifestsAsync('v1', 'deploy', { lenient: true }), atV1)
    assert.deepStrictEqual(repo.loadManifests('v1').map((s) => s.name), ['cm', 'web'], 'README.md is not read')
    assert.deepStrictEqual(await gk.loadManifests(['git:v1:deploy'], null, dir), atV1)
    assert.deepStrictEqual(gk.loadManifestsSync('git:main:deploy/svc.yaml', undefined, dir).map((s) => s.file), ['git:main:deploy/svc.yaml'])
    assert.throws(() => repo.loadManifests('main', 'nope'), isCoded({ code: 'git.path-not-found' }))
    await assert.rejects(repo.loadManifestsAsync('nope'), isCoded({ code: 'git.ref-not-found' }))
    await assert.rejects(gk.loadManifests('git:main:deploy', null, tempDir()), isCoded({ code: 'git.open' }))
  })
})

describe('hostile input throws coded errors and never crashes', () => {
  const laughs = ['a0: &a0 [x, x, x, x, x, x, x, x, x]']
  for (let i = 1; i < 10; i++) laughs.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`)

  const cases = [
    ['billion laughs', laughs.join('\n'), 'yaml.limit'],
    ['100,000 nested block sequences', '- '.repeat(100000) + 'x', 'yaml.limit'],
    ['1,000,000 open brackets', '['.repeat(1000000), 'yaml.limit'],
    ['NUL bytes', 'a: b\u0000c\n', 'yaml.binary'],
    ['only NUL bytes', '\u0000'.repeat(1000), 'yaml.binary'],
    ['a recursive alias', 'a: &a [*a]\n', 'yaml.alias'],
    ['an undefined alias', 'a: *nope\n', 'yaml.parse'],
    ['an unterminated flow mapping', '{a: [1, 2', 'yaml.parse'],
    ['too many documents', '---\n'.repeat(100001), 'yaml.limit'],
  ]
  for (const [name, text, code] of cases) {
    test(name, () => {
      for (const fn of [gk.yamlToJson, gk.yamlHazards, gk.parseManifests, gk.manifestReport]) {
        assert.throws(() => fn(text, 'evil.yaml'), isCoded({ code, file: 'evil.yaml' }), `${fn.name}`)
      }
      assert.throws(() => gk.locate(text, '/a', 'evil.yaml'), isCoded({ code, file: 'evil.yaml' }))
    })
  }

  test('limits can be tightened per call', () => {
    assert.throws(() => gk.yamlToJson('a: [[[1]]]', null, { maxDepth: 2 }), isCoded({ code: 'yaml.limit', line: 1 }))
    assert.throws(() => gk.yamlToJson('a: [1, 2, 3]', null, { maxNodes: 3 }), isCoded({ code: 'yaml.limit' }))
    assert.throws(() => gk.yamlToJson('a: 1\n---\nb: 2\n', null, { maxDocuments: 1 }), isCoded({ code: 'yaml.limit', line: 2 }))
    assert.throws(() => gk.yamlToJson('a: xxxxxxxx', null, { maxScalarBytes: 4 }), isCoded({ code: 'yaml.limit' }))
  })

  test('deep but allowed nesting converts (no 128-level cap at the boundary)', () => {
    const depth = 1000
    const [doc] = gk.yamlToJson('['.repeat(depth) + ']'.repeat(depth), null, { maxDepth: depth })
    let d = 0
    for (let v = doc; Array.isArray(v) && v.length > 0; v = v[0]) d++
    assert.equal(d, depth - 1)
  })

  test('integers keep their JSON meaning', () => {
    assert.deepStrictEqual(gk.yamlToJson('a: 4294967296\nb: -2147483649\nc: 0x10\nd: 1.5e3\n'), [
      { a: 4294967296, b: -2147483649, c: 16, d: 1500 },
    ])
  })

  test('JS values without a JSON form are invalid-argument', () => {
    const cyclic = {}
    cyclic.self = cyclic
    for (const value of [undefined, () => 1, Symbol('s'), 10n, cyclic]) {
      assert.throws(() => gk.toYaml(value), isCoded({ code: 'invalid-argument' }))
    }
    assert.equal(gk.toYaml({ a: undefined, b: [undefined], c: new Date(0) }), 'b:\n  - null\nc: 1970-01-01T00:00:00.000Z\n')
  })

  test('bad edits are located yaml.edit or invalid-argument errors', () => {
    assert.throws(() => gk.applyEdits('abc\ndef', [{ start: 5, end: 99, replacement: '' }], 'e.yaml'),
      isCoded({ code: 'yaml.edit', file: 'e.yaml', line: 2, column: 2 }))
    assert.throws(() => gk.applyEdits('abc', [{ start: 0.5, end: 1, replacement: '' }]), isCoded({ code: 'invalid-argument' }))
    assert.throws(() => gk.applyEdits('abc', [{ start: -1, end: 1, replacement: '' }]), isCoded({ code: 'invalid-argument' }))
  })

  // Core bug: yaml::apply_edits slices the text at the bad offset while building the error and
  // panics. catch_unwind keeps the process alive (GenericFailure); the code should be yaml.edit.
  test('an edit that splits a character is yaml.edit', () => {
    assert.throws(() => gk.applyEdits('é', [{ start: 1, end: 2, replacement: '' }]), isCoded({ code: 'yaml.edit' }))
  })

  test('an edit that splits a character throws a coded error (a core panic is caught)', () => {
    assert.throws(() => gk.applyEdits('é', [{ start: 1, end: 2, replacement: '' }]), (err) => {
      assert.ok(err instanceof Error)
      assert.ok(['yaml.edit', 'internal'].includes(err.code), err.code)
      return true
    })
  })

  test('wrong argument types are napi errors with a code, not crashes', () => {
    assert.throws(() => gk.yamlToJson(42), (err) => err instanceof Error && typeof err.code === 'string')
    assert.throws(() => gk.Repo.open(), (err) => err instanceof Error && typeof err.code === 'string')
  })
})

describe('locations and byte offsets', () => {
  test('locate gives UTF-8 byte offsets that applyEdits accepts', () => {
    const text = 'name: "é"\nimage: nginx:1.25 # pinned\n'
    const at = gk.locate(text, '/image')
    assert.deepStrictEqual([at.start, at.end, at.line, at.column, at.end_line, at.end_column, at.text], [18, 28, 2, 8, 2, 18, 'nginx:1.25'])
    assert.equal(gk.applyEdits(text, [{ start: at.start, end: at.end, replacement: 'nginx:1.27' }]), 'name: "é"\nimage: nginx:1.27 # pinned\n')
    assert.throws(() => gk.locate(text, '/nope', 'f.yaml'), isCoded({ code: 'yaml.pointer', file: 'f.yaml' }))
    assert.throws(() => gk.locate(text, '/image', 'f.yaml', 3), isCoded({ code: 'yaml.pointer' }))
  })
})

describe('async calls run off the main thread', () => {
  test('Promise.all of async loads while a timer keeps ticking', async (t) => {
    const dir = tempDir()
    const doc = (i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ns\n  labels: {app: web, tier: "${i % 7}"}\ndata:\n  key: "value ${i}"\n  other: [1, 2, 3, {a: b}]\n`
    // Grow the input until one synchronous load takes a measurable time on this machine.
    let count = 2000
    let syncMs = 0
    for (;;) {
      writeFileSync(join(dir, 'big.yaml'), Array.from({ length: count }, (_, i) => doc(i)).join('---\n'))
      const t0 = performance.now()
      assert.equal(gk.loadManifestsSync(dir).length, count)
      syncMs = performance.now() - t0
      if (syncMs >= 100 || count >= 320000) break
      count *= 2
    }

    const ticks = []
    const timer = setInterval(() => ticks.push(performance.now()), 5)
    const start = performance.now()
    let results
    try {
      results = await Promise.all(Array.from({ length: 4 }, () => gk.loadManifests(dir)))
    } finally {
      clearInterval(timer)
    }
    const elapsed = performance.now() - start
    for (const r of results) assert.equal(r.length, count)

    // A blocked event loop would not tick at all until the loads are done. Allow for a noisy
    // 2-core machine: require a few ticks, and no gap longer than most of the run.
    const during = ticks.filter((t) => t < start + elapsed)
    const gaps = [during[0] - start, ...during.slice(1).map((t, i) => t - during[i])]
    const maxGap = Math.max(...gaps)
    const info = `sync ${syncMs.toFixed(0)} ms, 4 async ${elapsed.toFixed(0)} ms, ${during.length} ticks, max gap ${maxGap.toFixed(0)} ms`
    t.diagnostic(info)
    assert.ok(during.length >= 3, info)
    assert.ok(maxGap < Math.max(elapsed * 0.75, 50), info)
  })

  test('git reads in parallel resolve with the same results as sync calls', async () => {
    const dir = tempDir()
    const git = (...args) =>
      execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } })
    git('init', '-q', '-b', 'main')
    for (let i = 0; i < 50; i++) write(dir, `apps/app-${i}/cm.yaml`, configMap(`cm-${i}`, `ns-${i}`))
    git('add', '-A')
    git('-c', 'user.name=A', '-c', 'user.email=a@b.c', 'commit', '-q', '-m', 'apps')
    const repo = gk.Repo.open(dir)
    const [files, log, manifests, id] = await Promise.all([
      repo.readFilesAsync('main', 'apps'),
      repo.logAsync('main'),
      repo.loadManifestsAsync('main', 'apps'),
      repo.resolveAsync('HEAD'),
    ])
    assert.deepStrictEqual(files, repo.readFiles('main', 'apps'))
    assert.deepStrictEqual(log, repo.log('main'))
    assert.deepStrictEqual(manifests, repo.loadManifests('main', 'apps'))
    assert.equal(manifests.length, 50)
    assert.equal(id, log[0].id)
  })
})

describe('packaging', () => {
  test('the generated index.d.ts type-checks against a usage sample', (t) => {
    const tsc = join(PACKAGE, 'node_modules', 'typescript', 'bin', 'tsc')
    if (!existsSync(tsc)) {
      t.skip('typescript is not installed (it comes with the dev dependencies)')
      return
    }
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022']
    const run = spawnSync(process.execPath, [tsc, ...args, join(HERE, 'types', 'check.ts')], { encoding: 'utf8' })
    assert.equal(run.status, 0, run.stdout + run.stderr)
  })

  test('every documented function is exported', () => {
    for (const name of ['parseManifests', 'loadManifests', 'loadManifestsSync', 'manifestReport', 'yamlToJson', 'yamlHazards', 'locate', 'applyEdits', 'toYaml']) {
      assert.equal(typeof gk[name], 'function', name)
    }
    for (const name of ['open', 'discover']) assert.equal(typeof gk.Repo[name], 'function', `Repo.${name}`)
  })
})
